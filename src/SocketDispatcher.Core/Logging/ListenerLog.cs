using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of the listener (event ids 200-299).</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(200, LogLevel.Information, "listener {Name} (pid {Pid}): accepting on {Endpoints}; handoff {Handoff}; control {Control}", EventName = "ListenerStarted")]
    public static partial void Started(ILogger logger, string name, int pid, string endpoints, string handoff, string control);

    [LoggerMessage(201, LogLevel.Information, "listener {Name}: stopping ({Reason})", EventName = "ListenerStopping")]
    public static partial void Stopping(ILogger logger, string name, string reason);

    [LoggerMessage(202, LogLevel.Information, "listener {Name}: stopped; accepted {Accepted}, handed {Handed}, re-handed {Rehanded}, closed without a dispatcher {Dropped}", EventName = "ListenerStopped")]
    public static partial void Stopped(ILogger logger, string name, long accepted, long handed, long rehanded, long dropped);

    [LoggerMessage(203, LogLevel.Information, "dispatcher {Pid} joined (capacity {Capacity})", EventName = "DispatcherJoined")]
    public static partial void DispatcherJoined(ILogger logger, int pid, int capacity);

    [LoggerMessage(204, LogLevel.Warning, "dispatcher {Pid} left: {Reason}; {Rehanded} connections it had not used are handed again, {Cut} conversations were cut", EventName = "DispatcherLeft")]
    public static partial void DispatcherLeft(ILogger logger, int pid, string reason, int rehanded, int cut);

    [LoggerMessage(205, LogLevel.Warning, "refused a handoff peer: pid {Pid}, uid {Uid} (allowed uids: {AllowedUids}); it gets no descriptor", EventName = "HandoffPeerRefused")]
    public static partial void PeerRefused(ILogger logger, int pid, uint uid, string allowedUids);

    [LoggerMessage(206, LogLevel.Warning, "dispatcher process {Pid} exited with code {ExitCode}; starting another in {DelayMs} ms", EventName = "DispatcherExited")]
    public static partial void DispatcherExited(ILogger logger, int pid, int exitCode, long delayMs);

    [LoggerMessage(207, LogLevel.Critical, "dispatchers keep failing: {Restarts} restarts within {WindowSeconds} s; giving up", EventName = "CrashLoop")]
    public static partial void CrashLoop(ILogger logger, int restarts, double windowSeconds);

    [LoggerMessage(208, LogLevel.Error, "accept on {Endpoint} failed: {Reason}", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(209, LogLevel.Critical, "the accept loop of {Endpoint} failed", EventName = "AcceptLoopFailed")]
    public static partial void AcceptLoopFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(210, LogLevel.Debug, "connection {ConnectionId} from {Peer} handed to dispatcher {Pid}", EventName = "ConnectionHanded")]
    public static partial void Handed(ILogger logger, string connectionId, string peer, int pid);

    [LoggerMessage(211, LogLevel.Warning, "dispatcher {Pid}: bad record on the handoff channel: {Reason}", EventName = "BadHandoffRecord")]
    public static partial void BadRecord(ILogger logger, int pid, string reason);

    [LoggerMessage(212, LogLevel.Warning, "dispatcher process {Pid} did not exit within {WaitedMs} ms after EXIT; killing it", EventName = "DispatcherKilled")]
    public static partial void DispatcherKilled(ILogger logger, int pid, long waitedMs);

    [LoggerMessage(213, LogLevel.Information, "started dispatcher process {Pid}: {Program}", EventName = "DispatcherSpawned")]
    public static partial void DispatcherSpawned(ILogger logger, int pid, string program);

    [LoggerMessage(214, LogLevel.Warning, "control peer refused: pid {Pid}, uid {Uid}", EventName = "ControlPeerRefused")]
    public static partial void ControlPeerRefused(ILogger logger, int pid, uint uid);

    [LoggerMessage(215, LogLevel.Error, "cannot start a dispatcher: {Reason}", EventName = "SpawnFailed")]
    public static partial void SpawnFailed(ILogger logger, string reason);

    [LoggerMessage(216, LogLevel.Warning, "connection {ConnectionId} from {Peer}: no dispatcher took it within {WaitedMs} ms; closed", EventName = "HandoffTimedOut")]
    public static partial void HandoffTimedOut(ILogger logger, string connectionId, string peer, long waitedMs);

    [LoggerMessage(217, LogLevel.Error, "dispatcher {Pid} did not answer ALIVE within {TimeoutMs} ms; replacing it", EventName = "DispatcherUnresponsive")]
    public static partial void DispatcherUnresponsive(ILogger logger, int pid, long timeoutMs);

    [LoggerMessage(218, LogLevel.Information, "listener {Name}: skipping the drain ({Reason})", EventName = "DrainSkipped")]
    public static partial void DrainSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(219, LogLevel.Information, "dispatcher process {Pid} had not joined yet when the listener stopped; it holds no connection, so it is ended now", EventName = "UnjoinedDispatcherEnded")]
    public static partial void UnjoinedDispatcherEnded(ILogger logger, int pid);

    [LoggerMessage(EventId = 220, Message = "dispatcher {Pid}: {Line}", EventName = "DispatcherOutput")]
    public static partial void DispatcherOutput(ILogger logger, LogLevel level, int pid, string line);
}
