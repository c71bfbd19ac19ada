using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher;

/// <summary>
/// Sends one message straight to an endpoint, as eventdispatcher's <c>ed-signal</c> does: over a
/// stream (tcp, tls, unix) it connects, sends, optionally waits for one answer, and closes; over UDP
/// it sends one datagram and optionally waits for one back.
/// </summary>
public static class SdSignal
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="endpoint"/>.</summary>
    /// <returns>The answer when <see cref="SignalOptions.WaitForReply"/> is set; otherwise null.</returns>
    /// <exception cref="SdException">The endpoint cannot be reached (ConnectionRefused, ConnectTimeout...), or no
    /// answer came in time (ReceiveTimeout), or the connection closed without one (NoReply).</exception>
    public static async Task<SdMessage?> SendAsync(SdEndpoint endpoint, SdMessage message, SignalOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(message);
        options ??= new SignalOptions();
        if (options.SecretCode is { } secret) message = new SdMessage(message.Command, message.Parameters.SetItem("secret_code", secret), message.Server, message.Service, message.SentFromServer, message.SentFromService);
        if (endpoint.Kind == SdEndpointKind.Udp) return await SendDatagramAsync(endpoint, message, options, cancellationToken).ConfigureAwait(false);
        if (!endpoint.IsStream) throw new SdException(SdErrorKind.InvalidArgument, "EndpointUnsupported", $"{endpoint}: signals over unixgram: are not supported yet; use unix:, tcp://, tls:// or udp://");

        var clientOptions = new ClientOptions { Tls = options.Tls, ConnectTimeout = options.Timeout, Trace = options.Trace };
        await using var client = await SdClient.ConnectAsync(endpoint, clientOptions, loggerFactory, cancellationToken).ConfigureAwait(false);
        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!options.WaitForReply) return null;
        return await client.ReceiveAsync(options.Timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new SdException(SdErrorKind.ConnectionError, "NoReply", $"{endpoint}: the connection closed without an answer to {message.Command}");
    }

    private static async Task<SdMessage?> SendDatagramAsync(SdEndpoint endpoint, SdMessage message, SignalOptions options, CancellationToken cancellationToken)
    {
        if (endpoint.ToEndPoint() is not IPEndPoint address)
        {
            var addresses = await Dns.GetHostAddressesAsync(endpoint.Host!, cancellationToken).ConfigureAwait(false);
            address = new IPEndPoint(addresses.FirstOrDefault() ?? throw new SdException(SdErrorKind.NotFound, "HostNotFound", $"{endpoint}: host '{endpoint.Host}' not found"), endpoint.Port);
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.SendToAsync(Encoding.UTF8.GetBytes(message.ToString()), address, cancellationToken).ConfigureAwait(false);
        if (!options.WaitForReply) return null;
        var buffer = new byte[65_535];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), deadline.Token).ConfigureAwait(false);
            return SdMessage.Parse(Encoding.UTF8.GetString(buffer, 0, received.ReceivedBytes));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SdException(SdErrorKind.Timeout, "ReceiveTimeout", $"{endpoint}: no answer within {options.Timeout.TotalMilliseconds:0} ms");
        }
    }
}
