using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace SocketDispatcher.Clients;

/// <summary>Opens a client stream to a tcp://, tls:// or unix: endpoint, with errors that say what to do.</summary>
internal static class ClientConnector
{
    /// <exception cref="SdException">ConnectionRefused, ConnectTimeout, HostNotFound, ConnectFailed, TlsHandshakeFailed.</exception>
    public static async Task<(Stream Stream, Socket Socket, string? TlsProtocol)> ConnectAsync(SdEndpoint endpoint, SdClientOptions options, CancellationToken cancellationToken)
    {
        if (!endpoint.IsStream)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"{endpoint} is a datagram endpoint; a client connection needs tcp://, tls:// or unix:");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var address = endpoint.ToEndPoint();
        var socket = endpoint.IsUnix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : address is IPEndPoint ip ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        Stream? stream = null;
        try
        {
            try
            {
                // A DnsEndPoint is tried address by address, in the order the resolver gives.
                await socket.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SdException(SdErrorKind.Timeout, "ConnectTimeout", $"{endpoint}: no connection within {options.ConnectTimeout.TotalMilliseconds:0} ms");
            }
            catch (SocketException ex)
            {
                throw ConnectError(endpoint, ex);
            }

            if (!endpoint.IsUnix) socket.NoDelay = true;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (endpoint.Kind != SdEndpointKind.Tls) return (stream, socket, null);
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            stream = ssl;
            try
            {
                await ssl.AuthenticateAsClientAsync(TlsSetup.CreateClientOptions(options.Tls, endpoint.Host!), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SdException(SdErrorKind.Timeout, "ConnectTimeout", $"{endpoint}: no TLS handshake within {options.ConnectTimeout.TotalMilliseconds:0} ms");
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                throw new SdException(SdErrorKind.Security, "TlsHandshakeFailed", $"{endpoint}: TLS handshake failed: {ex.Message} (check the server certificate against your CA, or pass -CertificateAuthority / --ca)", ex);
            }

            return (stream, socket, ssl.SslProtocol.ToString());
        }
        catch
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
            throw;
        }
    }

    private static SdException ConnectError(SdEndpoint endpoint, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => new SdException(SdErrorKind.ConnectionError, "ConnectionRefused", $"{endpoint}: connection refused; is the listener running?", ex),
        SocketError.AddressNotAvailable when endpoint.IsUnix => new SdException(SdErrorKind.ConnectionError, "ConnectionRefused", $"{endpoint}: no such socket; is the listener running?", ex),
        SocketError.HostNotFound or SocketError.NoData => new SdException(SdErrorKind.NotFound, "HostNotFound", $"{endpoint}: host '{endpoint.Host}' not found", ex),
        SocketError.AccessDenied => new SdException(SdErrorKind.PermissionDenied, "AccessDenied", $"{endpoint}: permission denied", ex),
        _ => new SdException(SdErrorKind.ConnectionError, "ConnectFailed", $"{endpoint}: cannot connect: {ex.Message}", ex),
    };
}
