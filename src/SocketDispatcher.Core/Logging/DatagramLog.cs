using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of datagram services on udp:// and unixgram: (event ids 500-599).</summary>
internal static partial class DatagramLog
{
    [LoggerMessage(500, LogLevel.Information, "datagram service (pid {Pid}): serving on {Endpoint}", EventName = "DatagramServiceStarted")]
    public static partial void Started(ILogger logger, int pid, string endpoint);

    [LoggerMessage(501, LogLevel.Information, "datagram service on {Endpoint}: stopping ({Reason})", EventName = "DatagramServiceStopping")]
    public static partial void Stopping(ILogger logger, string endpoint, string reason);

    [LoggerMessage(502, LogLevel.Warning, "datagram {ConnectionId} on {Endpoint}: the sender has no address (an unbound unixgram socket), so no answer can reach it; bind the client socket", EventName = "DatagramSenderUnnamed")]
    public static partial void SenderUnnamed(ILogger logger, string connectionId, string endpoint);

    [LoggerMessage(503, LogLevel.Warning, "datagram {ConnectionId} on {Endpoint}: cannot answer {Peer}: {Reason}", EventName = "DatagramReplyFailed")]
    public static partial void ReplyFailed(ILogger logger, string connectionId, string endpoint, string? peer, string reason);

    [LoggerMessage(504, LogLevel.Error, "datagram service on {Endpoint}: receive failed: {Reason}", EventName = "DatagramReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(505, LogLevel.Error, "datagram {ConnectionId} from {Peer}: the handler failed", EventName = "DatagramHandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string connectionId, string? peer);
}
