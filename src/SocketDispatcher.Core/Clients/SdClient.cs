using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Clients;
using SocketDispatcher.Connections;

namespace SocketDispatcher;

/// <summary>
/// A client connection that speaks messages to a tcp://, tls:// or unix: endpoint (<c>Connect-SdClient</c>).
/// Messages that arrive wait in a queue (10,000 at most; past that the client stops reading and
/// TCP pushes back) until <see cref="SdConnection.ReceiveAsync"/> takes them.
/// </summary>
public sealed class SdClient : SdConnection
{
    private static long s_nextId;

    private SdClient(string id, SdEndpoint endpoint, string? local, string? remote, string? tlsProtocol, ILogger logger)
        : base(id, endpoint.ToString(), logger)
    {
        Endpoint = endpoint;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        TlsProtocol = tlsProtocol;
    }

    /// <summary>The endpoint connected to.</summary>
    public SdEndpoint Endpoint { get; }

    /// <summary>The local address and port (empty for AF_UNIX).</summary>
    public string? LocalEndPoint { get; }

    /// <summary>The server's address and port.</summary>
    public string? RemoteEndPoint { get; }

    /// <summary>The TLS version in use (<c>Tls13</c>), or null without TLS.</summary>
    public string? TlsProtocol { get; }

    /// <summary>When the connection was made (UTC).</summary>
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Connects, and for tls:// completes the handshake.</summary>
    /// <param name="endpoint">A tcp://, tls:// or unix: endpoint.</param>
    /// <param name="options">Connection options; null for the defaults.</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="SdException">ConnectionRefused, ConnectTimeout, HostNotFound, TlsHandshakeFailed, CertificateNotFound...</exception>
    public static async Task<SdClient> ConnectAsync(SdEndpoint endpoint, SdClientOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new SdClientOptions();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.Client");
        var (stream, socket, tls) = await ClientConnector.ConnectAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        var id = "client-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
        var remote = endpoint.IsUnix ? endpoint.ToString() : socket.RemoteEndPoint?.ToString();
        var local = endpoint.IsUnix ? string.Empty : socket.LocalEndPoint?.ToString();
        var client = new SdClient(id, endpoint, local, remote, tls, logger);
        client.Attach(new StreamTransport(id, stream, remote, options.MaxLineBytes, logger, options.Trace), remote, completesQueue: true);
        return client;
    }
}
