using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of dispatcher processes (event ids 300-399); each names the dispatcher pid.</summary>
internal static partial class DispatcherLog
{
    [LoggerMessage(300, LogLevel.Information, "dispatcher {Pid}: connected to {Handoff}", EventName = "DispatcherConnected")]
    public static partial void Connected(ILogger logger, int pid, string handoff);

    [LoggerMessage(301, LogLevel.Information, "dispatcher {Pid}: stopping ({Reason}); {Open} connections open, draining up to {DrainMs} ms", EventName = "DispatcherStopping")]
    public static partial void Stopping(ILogger logger, int pid, string reason, int open, long drainMs);

    [LoggerMessage(302, LogLevel.Information, "dispatcher {Pid}: stopped after {Handled} connections", EventName = "DispatcherStopped")]
    public static partial void Stopped(ILogger logger, int pid, long handled);

    [LoggerMessage(303, LogLevel.Warning, "dispatcher {Pid}: bad record on the handoff channel: {Reason}", EventName = "BadHandoffRecord")]
    public static partial void BadRecord(ILogger logger, int pid, string reason);

    [LoggerMessage(304, LogLevel.Debug, "dispatcher {Pid}: connection {ConnectionId} from {Peer} taken (tls={Tls})", EventName = "ConnectionTaken")]
    public static partial void ConnectionTaken(ILogger logger, int pid, string connectionId, string? peer, bool tls);

    [LoggerMessage(305, LogLevel.Warning, "dispatcher {Pid}: connection {ConnectionId} from {Peer}: TLS handshake failed: {Reason}", EventName = "TlsHandshakeFailed")]
    public static partial void HandshakeFailed(ILogger logger, int pid, string connectionId, string? peer, string reason);

    [LoggerMessage(306, LogLevel.Error, "dispatcher {Pid}: connection {ConnectionId} needs TLS but the listener sent no certificate", EventName = "TlsNotConfigured")]
    public static partial void TlsNotConfigured(ILogger logger, int pid, string connectionId);

    [LoggerMessage(307, LogLevel.Critical, "dispatcher {Pid}: cannot load the TLS certificate: {Reason}", EventName = "TlsConfigFailed")]
    public static partial void TlsConfigFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(308, LogLevel.Warning, "dispatcher {Pid}: the listener closed the handoff channel", EventName = "ListenerGone")]
    public static partial void ListenerGone(ILogger logger, int pid);

    [LoggerMessage(309, LogLevel.Error, "dispatcher {Pid}: connection {ConnectionId} failed", EventName = "SessionFailed")]
    public static partial void SessionFailed(ILogger logger, Exception exception, int pid, string connectionId);
}
