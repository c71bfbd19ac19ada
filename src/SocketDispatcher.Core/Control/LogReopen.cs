using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Control;

/// <summary>
/// What <c>LOG</c>/<c>LOG_ROTATE</c> does in a listener and in a dispatcher: reopen its log file, with a
/// last line in the old file and a first line in the new one, so that a rotated file visibly ends
/// where its successor starts (logrotate(8) <c>postrotate</c>).
/// </summary>
internal static class LogReopen
{
    /// <returns>Whether a file was reopened.</returns>
    public static bool Run(SdFileLoggerProvider? file, ILogger logger, string reason)
    {
        var pid = Environment.ProcessId;
        if (file is null)
        {
            ControlLog.LogFileNone(logger, pid, reason);
            return false;
        }

        ControlLog.LogReopening(logger, pid, file.Path, reason);
        try
        {
            file.Reopen();
        }
        catch (Exception ex) when (ex is SdException or ObjectDisposedException)
        {
            ControlLog.LogReopenFailed(logger, pid, file.Path, ex.Message);
            return false;
        }

        ControlLog.LogReopened(logger, pid, file.Path, reason);
        return true;
    }
}
