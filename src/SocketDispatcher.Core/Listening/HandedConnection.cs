using System.Net.Sockets;

namespace SocketDispatcher.Listening;

/// <summary>An accepted connection the listener holds until a dispatcher confirms it with <c>ACCEPTED</c>.</summary>
internal sealed class HandedConnection(string id, Socket socket, SdEndpoint endpoint, string peer, string local)
{
    public string Id { get; } = id;

    /// <summary>The listener's copy; closed (never abortively) once a dispatcher has its own.</summary>
    public Socket Socket { get; } = socket;

    public SdEndpoint Endpoint { get; } = endpoint;

    public string Peer { get; } = peer;

    public string Local { get; } = local;

    public DateTimeOffset AcceptedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>How many times it was handed (more than one after a dispatcher died before ACCEPTED).</summary>
    public int Handoffs { get; set; }

    /// <summary>
    /// Set while sendmsg holds a reference on the socket's handle; guarded by the listener's lock.
    /// Disposing a .NET Socket whose handle is in use makes it "unblock" the socket with
    /// connect(AF_UNSPEC), which resets the connection for the dispatcher too: so an ACCEPTED that
    /// arrives before sendmsg has returned only marks the connection <see cref="Confirmed"/>.
    /// </summary>
    public bool Sending { get; set; }

    /// <summary>ACCEPTED came while <see cref="Sending"/> was set; the sender releases the socket.</summary>
    public bool Confirmed { get; set; }

    /// <summary>Closes the listener's copy. Dispose is a plain close(2): SO_LINGER{1,0} here would make the
    /// dispatcher's later close a RST (handoff-notes.md pitfall 1), and Shutdown would act on the shared socket.</summary>
    public void Release() => Socket.Dispose();
}
