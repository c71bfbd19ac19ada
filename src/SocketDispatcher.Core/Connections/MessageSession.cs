using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Connections;

/// <summary>
/// A conversation on a server-side stream: runs a router's <c>OnConnected</c>, then routes every line
/// until the peer closes, the line is oversize (answered <c>INVALID</c>, then closed), or the
/// service stops. Used by dispatchers for handed-off connections and by control endpoints.
/// </summary>
internal sealed class MessageSession : ISdSession
{
    private readonly MessageConnection _connection;
    private readonly Action<string> _requestServiceStop;
    private readonly Func<LineResult, bool>? _admits;

    // admits says whether a line may be routed; a line it refuses is dropped without an answer
    // (a control endpoint's secret check). Null routes every line.
    public MessageSession(string id, Stream stream, string? peer, bool isLocalPeer, int maxLineBytes, bool trace, ILogger logger, Action<string> requestServiceStop, Func<LineResult, bool>? admits = null)
    {
        _admits = admits;
        Id = id;
        Peer = peer;
        IsLocalPeer = isLocalPeer;
        _requestServiceStop = requestServiceStop;
        _connection = new MessageConnection(id, stream, peer, maxLineBytes, logger, trace);
    }

    public string Id { get; }

    public string? Peer { get; }

    public bool IsLocalPeer { get; }

    /// <summary>Runs the conversation to its end, then closes the stream.</summary>
    public async Task RunAsync(SdMessageRouter router, CancellationToken cancellationToken)
    {
        await using (_connection.ConfigureAwait(false))
        {
            await router.ConnectedAsync(this, cancellationToken).ConfigureAwait(false);
            if (_connection.IsClosed) return;
            _connection.Start(async line =>
            {
                if (_admits?.Invoke(line) == false)
                {
                    // Still bounded: an oversize line ends the connection, answered or not.
                    if (line.IsOversize) _connection.Abort(line.Error!.Reason);
                    return;
                }

                await router.RouteAsync(this, line, cancellationToken).ConfigureAwait(false);
                if (line.IsOversize) _connection.Abort(line.Error!.Reason);
            });
            await using (cancellationToken.Register(() => _connection.Abort("service stopping")))
            {
                await _connection.Completion.ConfigureAwait(false);
            }
        }
    }

    public ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
        => _connection.SendAsync(message, cancellationToken);

    public void Close(string reason) => _connection.Abort(reason);

    public void RequestServiceStop(string reason) => _requestServiceStop(reason);
}
