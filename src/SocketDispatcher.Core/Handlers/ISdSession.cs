namespace SocketDispatcher;

/// <summary>
/// A session: one peer as a message handler sees it, and the way to answer it. The implementations sit on
/// a transport (a handed-off or control connection), on a client-side connection (a socket pair's end) or
/// on one datagram.
/// </summary>
public interface ISdSession
{
    /// <summary>The connection id (as in the handoff's <c>CONNECTION id=...</c>).</summary>
    string Id { get; }

    /// <summary>The peer's endpoint text, such as <c>127.0.0.1:53422</c>; null when unknown.</summary>
    string? Peer { get; }

    /// <summary>Whether the peer is on this machine (a loopback address, or AF_UNIX).</summary>
    bool IsLocalPeer { get; }

    /// <summary>Sends one message to the peer.</summary>
    /// <exception cref="IOException">The connection is closed or broke.</exception>
    ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default);

    /// <summary>Closes the connection after what was sent; the first reason given is logged.</summary>
    void Close(string reason);

    /// <summary>Asks the whole service (listener and every dispatcher) to stop, as a <c>QUIT</c> signal does.</summary>
    void RequestServiceStop(string reason);
}
