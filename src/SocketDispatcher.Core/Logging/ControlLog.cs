using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of control endpoints and log files (event ids 600-699).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(600, LogLevel.Warning, "control endpoint {Endpoint}: ignored {Command} from {Peer}: missing or wrong secret_code", EventName = "SecretMismatch")]
    public static partial void SecretMismatch(ILogger logger, string endpoint, string peer, string command);

    [LoggerMessage(601, LogLevel.Information, "control endpoint {Endpoint}: {Command} from {Peer}", EventName = "ControlCommand")]
    public static partial void Command(ILogger logger, string endpoint, string peer, string command);

    [LoggerMessage(602, LogLevel.Information, "pid {Pid}: log file {Path} reopened ({Reason})", EventName = "LogReopened")]
    public static partial void LogReopened(ILogger logger, int pid, string path, string reason);
}
