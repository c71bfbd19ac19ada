using SocketDispatcher.Connections;

namespace SocketDispatcher.Clients;

/// <summary>
/// The session on an <see cref="SdConnection"/> (a socket pair's end served with a router), as a handler
/// sees its peer; <see cref="RunAsync"/> is the conversation.
/// </summary>
internal sealed class ConnectionSession(SdConnection connection, Action<string> requestServiceStop) : ISdSession
{
    public string Id => connection.Id;

    public string? Peer => connection.Target;

    /// <summary>A socket pair's other end is always on this machine.</summary>
    public bool IsLocalPeer => true;

    public ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default) => connection.SendAsync(message, cancellationToken);

    public void Close(string reason) => _ = connection.DisposeAsync().AsTask();

    public void RequestServiceStop(string reason) => requestServiceStop(reason);

    /// <summary>Runs the router's <c>OnConnected</c>, then routes each message until the connection closes.</summary>
    public async Task RunAsync(SdMessageRouter router, CancellationToken cancellationToken)
    {
        await router.ConnectedAsync(this, cancellationToken).ConfigureAwait(false);
        while (await connection.ReceiveAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false) is { } message)
        {
            await router.RouteAsync(this, new LineResult(message.ToString(), message, null), cancellationToken).ConfigureAwait(false);
        }
    }
}
