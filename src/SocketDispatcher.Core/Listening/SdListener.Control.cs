using System.Globalization;
using System.Text.Json;
using SocketDispatcher.Control;
using SocketDispatcher.Handoff;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>The commands of the control endpoints.</summary>
public sealed partial class SdListener
{
    /// <summary>
    /// The answer to <c>STATUS</c>: <c>STATUS name=..;pid=..;state=..;started=..;endpoints=..;control=..;handoff=..;accepted=..;handed=..;rehanded=..;dropped=..;dispatchers=[...]</c>,
    /// where <c>endpoints</c> and <c>control</c> are JSON arrays of endpoint strings (a unix: path may hold
    /// spaces), <c>started</c> is
    /// ISO 8601 (UTC), and <c>dispatchers</c> is a JSON array of objects with <c>pid</c>, <c>state</c>,
    /// <c>started</c>, <c>restarts</c>, <c>handed</c>, <c>open</c>, <c>pending</c> and <c>spawned</c>;
    /// <c>dropped</c> counts the connections closed without a dispatcher.
    /// <see cref="SdListenerInfo.FromStatus"/> reads it back.
    /// </summary>
    public SdMessage GetStatus()
    {
        var dispatchers = JsonSerializer.Serialize(GetDispatchers().Select(d => new Dictionary<string, object?>
        {
            ["pid"] = d.Pid,
            ["state"] = d.State,
            ["started"] = d.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["restarts"] = d.Restarts,
            ["handed"] = d.Handed,
            ["open"] = d.Open,
            ["pending"] = d.Pending,
            ["spawned"] = d.Spawned,
        }));
        return new SdMessage("STATUS", [
            new("name", Name),
            new("pid", ProcessId.ToString(CultureInfo.InvariantCulture)),
            new("state", State),
            new("started", StartedAt.ToString("O", CultureInfo.InvariantCulture)),
            new("endpoints", JsonSerializer.Serialize(Endpoints.Select(e => e.ToString()))),
            new("control", JsonSerializer.Serialize(ControlEndpoints.Select(e => e.ToString()))),
            new("handoff", Handoff.ToString()),
            new("accepted", Accepted.ToString(CultureInfo.InvariantCulture)),
            new("handed", Handed.ToString(CultureInfo.InvariantCulture)),
            new("rehanded", Rehanded.ToString(CultureInfo.InvariantCulture)),
            new("dropped", Dropped.ToString(CultureInfo.InvariantCulture)),
            new("dispatchers", dispatchers),
        ]);
    }

    private SdMessageRouter CreateControlRouter() => new SdMessageRouter()
        .Map("QUIT", (session, _, _) => Stop(session, drain: true, "QUIT"))
        .Map("STOP", (session, _, _) => Stop(session, drain: false, "STOP"))
        .Map("STATUS", (session, _, ct) => session.SendAsync(GetStatus(), ct))
        .Map("LOG", (session, message, _) => RotateLogs(session, message))
        .Map("LOG_ROTATE", (session, message, _) => RotateLogs(session, message));

    /// <summary>
    /// Reopens the listener's log file, then forwards <c>LOG</c> to every dispatcher over the handoff
    /// channel so that each reopens its own: what logrotate's <c>postrotate</c> asks for.
    /// </summary>
    private ValueTask RotateLogs(ISdSession session, SdMessage message)
    {
        LogReopen.Run(_options.LogFile, _logger, $"{message.Command} on control endpoint from {session.Peer}");
        DispatcherLink[] links;
        lock (_gate) links = [.. _links];
        foreach (var link in links)
        {
            try
            {
                link.Channel.Send(new SdMessage(HandoffProtocol.Log));
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // That dispatcher is going away; its successor opens a new file anyway.
                ControlLog.LogForwardFailed(_logger, link.Pid, ex.Message);
            }
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask Stop(ISdSession session, bool drain, string command)
    {
        _ = StopAsync(drain, $"{command} on control endpoint from {session.Peer}");
        return ValueTask.CompletedTask;
    }
}
