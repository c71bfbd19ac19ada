using System.Net.Sockets;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>
/// An accepted connection the listener holds: while it waits for a dispatcher, while it is handed but
/// not <c>ACCEPTED</c>, and then until the dispatcher reports it <c>CLOSED</c>. Holding the copy until
/// <c>CLOSED</c> lets the listener hand the connection again when its dispatcher dies before doing
/// any I/O on it (<see cref="NativeSockets.IsUntouched(System.Runtime.InteropServices.SafeHandle)"/>).
/// The listener never does I/O on it, so it keeps a bare descriptor, not a .NET Socket. The mutable
/// state is guarded by the listener's lock.
/// </summary>
internal sealed class HandedConnection(string id, SocketDescriptor descriptor, AddressFamily family, SdEndpoint endpoint, string peer, string local)
{
    public string Id { get; } = id;

    /// <summary>The listener's copy; closed with a plain close(2) once no dispatcher can need it again.</summary>
    public SocketDescriptor Descriptor { get; } = descriptor;

    /// <summary>The socket's family (from the address accept4 returned).</summary>
    public AddressFamily Family { get; } = family;

    public SdEndpoint Endpoint { get; } = endpoint;

    public string Peer { get; } = peer;

    public string Local { get; } = local;

    /// <summary>How many times it was handed (more than one after a dispatcher died before using it).</summary>
    public int Handoffs { get; set; }

    /// <summary>The dispatcher that has it now (pending or open); null while it waits for one.</summary>
    public DispatcherLink? Link { get; set; }

    /// <summary>When it started waiting for a dispatcher (UTC); <see cref="ListenerOptions.HandoffTimeout"/> counts from here.</summary>
    public DateTimeOffset WaitingSince { get; set; }

    /// <summary>
    /// How many sendmsg calls are sending the descriptor now. A release asked for meanwhile only sets
    /// <see cref="ReleaseWhenSent"/>, and the last sender releases: the descriptor number must stay
    /// ours until no sendmsg can name it.
    /// </summary>
    public int SendsInFlight { get; set; }

    /// <summary>A release was asked for while <see cref="SendsInFlight"/> was not 0.</summary>
    public bool ReleaseWhenSent { get; set; }

    /// <summary>Closes the listener's copy with a plain close(2): SO_LINGER{1,0} would make the dispatcher's
    /// later close a RST (handoff-notes.md pitfall 1), and shutdown(2) would act on the shared socket.</summary>
    public void Release() => Descriptor.Dispose();
}
