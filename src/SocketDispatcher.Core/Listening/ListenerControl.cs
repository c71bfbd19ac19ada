using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Control;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// A listener's control endpoints: owns the <see cref="ControlServer"/> and its router (<c>QUIT</c>,
/// <c>STOP</c>, <c>STATUS</c>, <c>LOG</c>/<c>LOG_ROTATE</c>), writes the <c>STATUS</c> answer and
/// forwards <c>LOG</c> to every dispatcher. No lock of its own: what it reads belongs to the
/// <see cref="SdListener"/> and the <see cref="HandoffScheduler"/>, which guard it.
/// </summary>
internal sealed class ListenerControl : IAsyncDisposable
{
    private readonly SdListener _listener;
    private readonly SdListenerOptions _options;
    private readonly ILogger _logger;
    private readonly HandoffScheduler _scheduler;
    private readonly ControlServer _server;

    public ListenerControl(SdListener listener, SdListenerOptions options, ILogger logger, HandoffScheduler scheduler)
    {
        _listener = listener;
        _options = options;
        _logger = logger;
        _scheduler = scheduler;
        var router = new SdMessageRouter()
            .Map("QUIT", (session, _, _) => Stop(session, drain: true, "QUIT"))
            .Map("STOP", (session, _, _) => Stop(session, drain: false, "STOP"))
            .Map("STATUS", (session, _, ct) => session.SendAsync(GetStatus(), ct))
            .Map("LOG", (session, message, _) => RotateLogs(session, message))
            .Map("LOG_ROTATE", (session, message, _) => RotateLogs(session, message));
        _server = new ControlServer(router, options, logger, reason => _ = listener.StopAsync(true, reason));
    }

    /// <summary>The control endpoints bound so far, with the ports the kernel chose for port 0.</summary>
    public IReadOnlyList<SdEndpoint> Endpoints => _server.Endpoints;

    /// <summary>Binds a control endpoint.</summary>
    /// <exception cref="SdException">It is invalid or in use.</exception>
    public void Listen(SdEndpoint endpoint) => _server.Listen(endpoint);

    /// <summary>Starts answering on every bound endpoint.</summary>
    public void Start() => _server.Start();

    /// <summary>The answer to <c>STATUS</c>; see <see cref="SdListener.GetStatus"/>.</summary>
    public SdMessage GetStatus()
    {
        var dispatchers = JsonSerializer.Serialize(_listener.GetDispatchers().Select(d => new Dictionary<string, object?>
        {
            ["pid"] = d.ProcessId,
            ["state"] = SdStateText.ToWire(d.State),
            ["started"] = d.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["restarts"] = d.Restarts,
            ["handed"] = d.Handed,
            ["open"] = d.Open,
            ["pending"] = d.Pending,
            ["spawned"] = d.Spawned,
        }));
        return new SdMessage("STATUS", [
            new("name", _listener.Name),
            new("pid", _listener.ProcessId.ToString(CultureInfo.InvariantCulture)),
            new("state", SdStateText.ToWire(_listener.State)),
            new("started", _listener.StartedAt.ToString("O", CultureInfo.InvariantCulture)),
            new("endpoints", JsonSerializer.Serialize(_listener.Endpoints.Select(e => e.ToString()))),
            new("control", JsonSerializer.Serialize(Endpoints.Select(e => e.ToString()))),
            new("handoff", _listener.Handoff.ToString()),
            new("accepted", _listener.Accepted.ToString(CultureInfo.InvariantCulture)),
            new("handed", _listener.Handed.ToString(CultureInfo.InvariantCulture)),
            new("rehanded", _listener.Rehanded.ToString(CultureInfo.InvariantCulture)),
            new("dropped", _listener.Dropped.ToString(CultureInfo.InvariantCulture)),
            new("dispatchers", dispatchers),
        ]);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>
    /// Reopens the listener's log file, then forwards <c>LOG</c> to every dispatcher over the handoff
    /// channel so that each reopens its own: what logrotate's <c>postrotate</c> asks for.
    /// </summary>
    private ValueTask RotateLogs(ISdSession session, SdMessage message)
    {
        LogReopen.Run(_options.LogFile, _logger, $"{message.Command} on control endpoint from {session.Peer}");
        foreach (var link in _scheduler.Links())
        {
            try
            {
                link.SendLog();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // That dispatcher is going away; its successor opens a new file anyway.
                ControlLog.LogForwardFailed(_logger, link.ProcessId, ex.Message);
            }
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask Stop(ISdSession session, bool drain, string command)
    {
        _ = _listener.StopAsync(drain, $"{command} on control endpoint from {session.Peer}");
        return ValueTask.CompletedTask;
    }
}
