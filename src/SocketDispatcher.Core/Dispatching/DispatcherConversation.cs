using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Dispatching;

/// <summary>
/// The conversation of one handed-off connection, on the dispatcher's side: wraps the socket from its
/// descriptor, terminates TLS when the listener says so, puts a <see cref="StreamTransport"/> and a
/// <see cref="TransportSession"/> on it, and routes its messages until the peer or the service ends it.
/// </summary>
internal static class DispatcherConversation
{
    /// <summary>Runs one conversation to its end and closes the connection.</summary>
    /// <param name="id">The connection's id from the CONNECTION record.</param>
    /// <param name="descriptor">The handed-off socket, owned from here on.</param>
    /// <param name="peer">The client, as the CONNECTION record names it.</param>
    /// <param name="family">The <c>family</c> of the CONNECTION record: <c>inet</c>, <c>inet6</c> or <c>unix</c>.</param>
    /// <param name="tls">Whether to terminate TLS first.</param>
    /// <param name="settings">What the dispatcher's conversations share.</param>
    /// <param name="cancellationToken">Canceled to cut the conversation (the end of a drain).</param>
    public static async Task RunAsync(string id, SocketDescriptor descriptor, string? peer, string? family, bool tls, ConversationSettings settings, CancellationToken cancellationToken)
    {
        var logger = settings.Logger;
        var opened = tls || settings.Poller is null ? OpenSocket(id, descriptor, peer, logger) : OpenPolled(descriptor, peer, family, settings.Poller);
        if (opened is null) return;
        var (stream, isLocal) = opened.Value;
        try
        {
            if (tls)
            {
                if (settings.Tls is not { } tlsOptions)
                {
                    DispatcherLog.TlsNotConfigured(logger, Environment.ProcessId, id);
                    return;
                }

                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(settings.HandshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(tlsOptions, handshake.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (SocketErrors.IsPeerError(ex))
                {
                    var reason = ex is OperationCanceledException ? $"no handshake within {settings.HandshakeTimeout.TotalMilliseconds} ms" : ex.Message;
                    DispatcherLog.HandshakeFailed(logger, Environment.ProcessId, id, peer, reason);
                    return;
                }
            }

            var session = new TransportSession(id, stream, peer, isLocal, settings.MaxLineBytes, settings.Trace, logger, settings.RequestServiceStop);
            stream = Stream.Null; // the session's transport owns it now
            await session.RunAsync(settings.Router, cancellationToken).ConfigureAwait(false);
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

    /// <summary>A .NET Socket from the descriptor: what TLS and handlers that may block need.</summary>
    private static (Stream, bool)? OpenSocket(string id, SocketDescriptor descriptor, string? peer, ILogger logger)
    {
        // The listener may have accepted with O_NONBLOCK, which our descriptor shares; state the mode
        // explicitly so that .NET's view matches the kernel's (docs/handoff-protocol.md, pitfall 2).
        Socket socket;
        var handle = HandoffRecord.ToSocketHandle(descriptor);
        try
        {
            socket = new Socket(handle) { Blocking = true };

            // A message is one small write: without TCP_NODELAY (tcp(7)) the answer after a TLS handshake
            // waits for the peer's delayed ACK, about 40 ms on Linux.
            if (socket.ProtocolType == ProtocolType.Tcp) socket.NoDelay = true;
        }
        catch (SocketException ex)
        {
            NativeSockets.Close(handle.DangerousGetHandle()); // not a usable socket: close it (plainly) rather than leak it
            handle.SetHandleAsInvalid();
            ConnectionLog.PeerError(logger, id, peer, ex.Message);
            return null;
        }

        var isLocal = socket.AddressFamily == AddressFamily.Unix
            || (socket.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address));
        return (new NetworkStream(socket, ownsSocket: true), isLocal);
    }

    /// <summary>The descriptor driven by the poller; what a Socket would ask the kernel comes from the CONNECTION record instead.</summary>
    private static (Stream, bool) OpenPolled(SocketDescriptor descriptor, string? peer, string? family, SocketPoller poller)
    {
        // TCP_NODELAY comes with the socket: the listener sets it on its listening sockets (SocketBinder).
        var stream = new PolledSocketStream(descriptor, poller);
        var isLocal = family == "unix" || (IPEndPoint.TryParse(peer ?? "", out var remote) && IPAddress.IsLoopback(remote.Address));
        return (stream, isLocal);
    }
}
