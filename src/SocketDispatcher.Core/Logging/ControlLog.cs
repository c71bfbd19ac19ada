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

    [LoggerMessage(603, LogLevel.Information, "pid {Pid}: closing log file {Path} to reopen it ({Reason})", EventName = "LogReopening")]
    public static partial void LogReopening(ILogger logger, int pid, string path, string reason);

    [LoggerMessage(604, LogLevel.Error, "pid {Pid}: cannot reopen log file {Path}, still writing to the old one: {Error}", EventName = "LogReopenFailed")]
    public static partial void LogReopenFailed(ILogger logger, int pid, string path, string error);

    [LoggerMessage(605, LogLevel.Information, "pid {Pid}: {Command} asks to reopen the log file, but there is none (--log-file)", EventName = "LogFileNone")]
    public static partial void LogFileNone(ILogger logger, int pid, string command);

    [LoggerMessage(606, LogLevel.Warning, "cannot forward LOG to dispatcher {Pid}: {Reason}", EventName = "LogForwardFailed")]
    public static partial void LogForwardFailed(ILogger logger, int pid, string reason);
}
