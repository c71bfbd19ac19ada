using System.Net.Sockets;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>
/// An accepted connection the listener holds: while it waits for a dispatcher, while it is handed but
/// not <c>ACCEPTED</c>, and then until the dispatcher reports it <c>CLOSED</c>. Holding the copy until
/// <c>CLOSED</c> lets the listener hand the connection again when its dispatcher dies before doing
/// any I/O on it (<see cref="NativeSockets.IsUntouched(System.Runtime.InteropServices.SafeHandle)"/>).
/// The listener never does I/O on it, so it keeps a bare descriptor, not a .NET Socket.
/// </summary>
/// <remarks>
/// Its handoff state (<see cref="Handoffs"/>, <see cref="WaitingSince"/>, the sends in flight and the
/// release asked for meanwhile) is guarded by the lock of the <see cref="HandoffScheduler"/> that
/// holds it: every method that changes it is called under that lock.
/// </remarks>
internal sealed class HandedConnection(ConnectionId id, SocketDescriptor descriptor, AddressFamily family, SdEndpoint endpoint, string peer, string local)
{
    // How many sendmsg calls are sending the descriptor now. A release asked for meanwhile only sets
    // _releaseWhenSent, and the last sender releases: the descriptor number must stay ours until no
    // sendmsg can name it (another connection accepted meanwhile could get the same number).
    private int _sendsInFlight;
    private bool _releaseWhenSent;

    public ConnectionId Id { get; } = id;

    /// <summary>The listener's copy; closed with a plain close(2) once no dispatcher can need it again.</summary>
    public SocketDescriptor Descriptor { get; } = descriptor;

    /// <summary>The socket's family (from the address accept4 returned).</summary>
    public AddressFamily Family { get; } = family;

    public SdEndpoint Endpoint { get; } = endpoint;

    public string Peer { get; } = peer;

    public string Local { get; } = local;

    /// <summary>How many times it was handed (more than one after a dispatcher died before using it).</summary>
    public int Handoffs { get; private set; }

    /// <summary>When it started waiting for a dispatcher (UTC); <see cref="SdListenerOptions.HandoffTimeout"/> counts from here.</summary>
    public DateTimeOffset WaitingSince { get; private set; }

    /// <summary>It waits for a dispatcher from <paramref name="now"/> on. Under the scheduler's lock.</summary>
    public void Wait(DateTimeOffset now) => WaitingSince = now;

    /// <summary>A sendmsg naming the descriptor is about to start. Under the scheduler's lock.</summary>
    public void BeginSend()
    {
        _sendsInFlight++;
        Handoffs++;
    }

    /// <summary>
    /// A sendmsg naming the descriptor has returned; true when a release was asked for meanwhile and no
    /// other send holds it, so the caller must <see cref="Close"/> it now. Under the scheduler's lock.
    /// </summary>
    public bool EndSend()
    {
        _sendsInFlight--;
        return _releaseWhenSent && _sendsInFlight == 0;
    }

    /// <summary>
    /// No dispatcher needs it any more: true when the caller must <see cref="Close"/> it now; false when
    /// a send still names it, and the last one to return closes it. Under the scheduler's lock.
    /// </summary>
    public bool AskRelease()
    {
        if (_sendsInFlight == 0) return true;
        _releaseWhenSent = true;
        return false;
    }

    /// <summary>Closes the listener's copy with a plain close(2): SO_LINGER{1,0} would make the dispatcher's
    /// later close a RST (docs/handoff-protocol.md, pitfall 1), and shutdown(2) would act on the shared socket.</summary>
    public void Close() => Descriptor.Dispose();
}
