using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>The lines a spawned dispatcher writes to standard error, logged through the listener's logger (<see cref="SdListenerOptions.CaptureDispatcherOutput"/>).</summary>
internal static partial class DispatcherOutput
{
    /// <summary>
    /// Logs one line. A dispatcher's own log lines read <c>TIME LEVEL: CATEGORY[ID] TEXT</c> (SdLogging's
    /// console format): the level is kept and the time and category dropped; any other line (a crash's
    /// stack trace) is logged as a warning.
    /// </summary>
    public static void Log(ILogger logger, int pid, string line)
    {
        var match = LogLine().Match(line);
        var level = !match.Success ? LogLevel.Warning : match.Groups["level"].Value switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => LogLevel.Information,
        };
        ListenerLog.DispatcherOutput(logger, level, pid, match.Success ? match.Groups["text"].Value : line);
    }

    [GeneratedRegex(@"^\S+ (?<level>[a-z]{4}): \S+\[\d+\] (?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex LogLine();
}
