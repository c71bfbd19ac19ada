using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Logging;

/// <summary>Log events of message connections (event ids 100-199).</summary>
internal static partial class ConnectionLog
{
    /// <summary>Logs one message in or out (--trace); a <c>secret_code</c> value never reaches the log.</summary>
    public static void Trace(ILogger logger, string direction, string connectionId, string? peer, string message)
        => TraceLine(logger, direction, connectionId, peer, Control.SecretCode.Redact(message));

    [LoggerMessage(100, LogLevel.Information, "{Direction} [{ConnectionId}] {Peer}: {Message}", EventName = "MessageTrace")]
    private static partial void TraceLine(ILogger logger, string direction, string connectionId, string? peer, string message);

    [LoggerMessage(101, LogLevel.Warning, "[{ConnectionId}] {Peer}: invalid line: {Reason}", EventName = "InvalidLine")]
    public static partial void InvalidLine(ILogger logger, string connectionId, string? peer, string reason);

    [LoggerMessage(102, LogLevel.Debug, "[{ConnectionId}] {Peer}: closed: {Reason}", EventName = "ConnectionClosed")]
    public static partial void Closed(ILogger logger, string connectionId, string? peer, string reason);

    [LoggerMessage(103, LogLevel.Error, "[{ConnectionId}] {Peer}: connection failed", EventName = "ConnectionFailed")]
    public static partial void Failed(ILogger logger, Exception exception, string connectionId, string? peer);

    [LoggerMessage(104, LogLevel.Debug, "[{ConnectionId}] {Peer}: peer error: {Reason}", EventName = "PeerError")]
    public static partial void PeerError(ILogger logger, string connectionId, string? peer, string reason);
}
