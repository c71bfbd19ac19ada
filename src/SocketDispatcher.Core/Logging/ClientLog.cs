using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of permanent clients (event ids 700-799).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(700, LogLevel.Information, "{ConnectionId}: cannot connect to {Endpoint} ({Reason}); next attempt in {PauseMs} ms", EventName = "PermanentConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string connectionId, string endpoint, string reason, long pauseMs);
}
