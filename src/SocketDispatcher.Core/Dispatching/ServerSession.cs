using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Dispatching;

/// <summary>
/// The dispatcher's side of one handed-off connection: rebuilds the socket from its descriptor,
/// terminates TLS when the listener says so, and runs the conversation.
/// </summary>
internal static class ServerSession
{
    public static async Task RunAsync(
        string id,
        SafeSocketHandle descriptor,
        string? peer,
        bool tls,
        SslServerAuthenticationOptions? tlsOptions,
        SdMessageRouter router,
        int maxLineBytes,
        bool trace,
        TimeSpan handshakeTimeout,
        ILogger logger,
        Action<string> requestServiceStop,
        CancellationToken cancellationToken)
    {
        // The listener may have accepted with O_NONBLOCK, which our descriptor shares; state the mode
        // explicitly so that .NET's view matches the kernel's (handoff-notes.md pitfall 2).
        Socket socket;
        try
        {
            socket = new Socket(descriptor) { Blocking = true };

            // A message is one small write: without TCP_NODELAY (tcp(7)) the answer after a TLS handshake
            // waits for the peer's delayed ACK, about 40 ms on Linux.
            if (socket.ProtocolType == ProtocolType.Tcp) socket.NoDelay = true;
        }
        catch (SocketException ex)
        {
            descriptor.Dispose(); // not a usable socket: close it rather than leak it
            ConnectionLog.PeerError(logger, id, peer, ex.Message);
            return;
        }

        var isLocal = socket.AddressFamily == AddressFamily.Unix
            || (socket.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address));
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (tls)
            {
                if (tlsOptions is null)
                {
                    DispatcherLog.TlsNotConfigured(logger, Environment.ProcessId, id);
                    return;
                }

                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(handshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(tlsOptions, handshake.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (SocketErrors.IsPeerError(ex))
                {
                    var reason = ex is OperationCanceledException ? $"no handshake within {handshakeTimeout.TotalMilliseconds} ms" : ex.Message;
                    DispatcherLog.HandshakeFailed(logger, Environment.ProcessId, id, peer, reason);
                    return;
                }
            }

            var session = new MessageSession(id, stream, peer, isLocal, maxLineBytes, trace, logger, requestServiceStop);
            stream = Stream.Null; // the session owns it now
            await session.RunAsync(router, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex))
        {
            ConnectionLog.PeerError(logger, id, peer, ex.Message);
        }
        catch (Exception ex)
        {
            DispatcherLog.SessionFailed(logger, ex, Environment.ProcessId, id);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
