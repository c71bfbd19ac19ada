using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Connections;

/// <summary>
/// The session on a server-side <see cref="StreamTransport"/>, as a handler sees one peer; its
/// <see cref="RunAsync"/> is the conversation: the router's <c>OnConnected</c>, then every line routed
/// until the peer closes, a line is oversize (answered <c>INVALID</c>, then closed), or the service
/// stops. Used by dispatchers for handed-off connections and by control endpoints.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "RunAsync owns the transport's life: it disposes it when the conversation ends.")]
internal sealed class TransportSession : ISdSession
{
    private readonly StreamTransport _transport;
    private readonly Action<string> _requestServiceStop;
    private readonly Func<LineResult, bool>? _admits;

    // admits says whether a line may be routed; a line it refuses is dropped without an answer
    // (a control endpoint's secret check). Null routes every line.
    public TransportSession(string id, Stream stream, string? peer, bool isLocalPeer, int maxLineBytes, bool trace, ILogger logger, Action<string> requestServiceStop, Func<LineResult, bool>? admits = null)
    {
        _admits = admits;
        Id = id;
        Peer = peer;
        IsLocalPeer = isLocalPeer;
        _requestServiceStop = requestServiceStop;
        _transport = new StreamTransport(id, stream, peer, maxLineBytes, logger, trace);
    }

    public string Id { get; }

    public string? Peer { get; }

    public bool IsLocalPeer { get; }

    /// <summary>Runs the conversation to its end, then closes the transport and its stream.</summary>
    public async Task RunAsync(SdMessageRouter router, CancellationToken cancellationToken)
    {
        await using (_transport.ConfigureAwait(false))
        {
            await router.ConnectedAsync(this, cancellationToken).ConfigureAwait(false);
            if (_transport.IsClosed) return;
            _transport.Start(async line =>
            {
                if (_admits?.Invoke(line) == false)
                {
                    // Still bounded: an oversize line ends the connection, answered or not.
                    if (line.IsOversize) _transport.Abort(line.Error!.Reason);
                    return;
                }

                await router.RouteAsync(this, line, cancellationToken).ConfigureAwait(false);
                if (line.IsOversize) _transport.Abort(line.Error!.Reason);
            });
            await using (cancellationToken.Register(() => _transport.Abort("service stopping")))
            {
                await _transport.Completion.ConfigureAwait(false);
            }
        }
    }

    public ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
        => _transport.SendAsync(message, cancellationToken);

    public void Close(string reason) => _transport.Abort(reason);

    public void RequestServiceStop(string reason) => _requestServiceStop(reason);
}
