using System.Net.Sockets;
using System.Security.Authentication;

namespace SocketDispatcher.Connections;

/// <summary>Sorts connection errors into the ones a peer causes (expected) and the rest.</summary>
internal static class SocketErrors
{
    public static bool IsConnectionReset(SocketError error)
        => error is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.OperationAborted;

    public static bool IsBrokenPipe(SocketError error) => error is SocketError.Shutdown or SocketError.NotConnected;

    /// <summary>Whether an exception from reading or writing a connection is the peer's doing (reset, EOF mid-handshake, bad TLS).</summary>
    public static bool IsPeerError(Exception exception) => exception switch
    {
        SocketException socket => IsConnectionReset(socket.SocketErrorCode) || IsBrokenPipe(socket.SocketErrorCode),
        IOException { InnerException: SocketException socket } => IsConnectionReset(socket.SocketErrorCode) || IsBrokenPipe(socket.SocketErrorCode),
        AuthenticationException => true,
        IOException => true,
        ObjectDisposedException => true,
        OperationCanceledException => true,
        _ => false,
    };
}
