using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Datagram;

namespace SocketDispatcher;

/// <summary>
/// Sends one message straight to an endpoint, as eventdispatcher's <c>ed-signal</c> does: over a
/// stream (tcp, tls, unix) it connects, sends, optionally waits for one answer, and closes; over UDP
/// or unixgram: it sends one datagram and optionally waits for one back.
/// </summary>
public static class SdSignal
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="endpoint"/>.</summary>
    /// <returns>The answer when <see cref="SdSignalOptions.WaitForReply"/> is set; otherwise null.</returns>
    /// <exception cref="SdException">The endpoint cannot be reached (ConnectionRefused, ConnectTimeout...), or no
    /// answer came in time (ReceiveTimeout), or the connection closed without one (NoReply).</exception>
    public static async Task<SdMessage?> SendAsync(SdEndpoint endpoint, SdMessage message, SdSignalOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(message);
        options ??= new SdSignalOptions();
        if (options.SecretCode is { } secret) message = new SdMessage(message.Command, message.Parameters.SetItem("secret_code", secret), message.Server, message.Service, message.SentFromServer, message.SentFromService);
        if (!endpoint.IsStream) return await SendDatagramAsync(endpoint, message, options, cancellationToken).ConfigureAwait(false);

        var clientOptions = new SdClientOptions { Tls = options.Tls, ConnectTimeout = options.Timeout, Trace = options.Trace };
        await using var client = await SdClient.ConnectAsync(endpoint, clientOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!options.WaitForReply) return null;
        return await client.ReceiveAsync(options.Timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new SdException(SdErrorKind.ConnectionError, "NoReply", $"{endpoint}: the connection closed without an answer to {message.Command}");
    }

    private static async Task<SdMessage?> SendDatagramAsync(SdEndpoint endpoint, SdMessage message, SdSignalOptions options, CancellationToken cancellationToken)
    {
        var address = endpoint.ToEndPoint();
        if (address is DnsEndPoint)
        {
            var addresses = await Dns.GetHostAddressesAsync(endpoint.Host!, cancellationToken).ConfigureAwait(false);
            address = new IPEndPoint(addresses.FirstOrDefault() ?? throw new SdException(SdErrorKind.NotFound, "HostNotFound", $"{endpoint}: host '{endpoint.Host}' not found"), endpoint.Port);
        }

        // A unixgram client binds an abstract name of its own, so that the answer can reach it (unix(7)).
        using var socket = DatagramSockets.ForClient(endpoint, address);
        try
        {
            await socket.SendToAsync(Encoding.UTF8.GetBytes(message.ToString() + "\n"), SocketFlags.None, address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex) when (endpoint.IsUnix)
        {
            throw ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused
                ? new SdException(SdErrorKind.ConnectionError, "ConnectionRefused", $"{endpoint}: no such socket; is the service running?", ex)
                : new SdException(SdErrorKind.ConnectionError, "SendFailed", $"{endpoint}: cannot send: {ex.Message}", ex);
        }

        if (!options.WaitForReply) return null;
        var buffer = new byte[RecordTransport.MaxRecordBytes];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            // Answers from anyone else than the endpoint are not answers.
            while (true)
            {
                EndPoint any = endpoint.IsUnix ? new UnixDomainSocketEndPoint("\0any") : new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, deadline.Token).ConfigureAwait(false);
                if (!endpoint.IsUnix && !received.RemoteEndPoint.Equals(address)) continue;
                var text = Encoding.UTF8.GetString(RecordTransport.Record(buffer.AsSpan(0, received.ReceivedBytes)));
                return SdMessage.TryParse(text, out var answer, out var error)
                    ? answer
                    : throw new SdException(SdErrorKind.Protocol, "ReplyInvalid", $"{endpoint}: the answer is not a message: {error!.Message}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SdException(SdErrorKind.Timeout, "ReceiveTimeout", $"{endpoint}: no answer within {options.Timeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // ICMP port unreachable (udp(7)): nothing listens there.
            throw new SdException(SdErrorKind.ConnectionError, "ConnectionRefused", $"{endpoint}: nothing answers there (port unreachable); is the service running?", ex);
        }
    }
}
