using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Clients;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A client connection that speaks messages to a tcp://, tls:// or unix: endpoint (<c>Connect-SdClient</c>).
/// Messages that arrive wait in a queue (10,000 at most; past that the client stops reading and
/// TCP pushes back) until <see cref="ReceiveAsync"/> takes them.
/// </summary>
public sealed class SdClient : IAsyncDisposable
{
    private static long s_nextId;

    private readonly MessageConnection _connection;
    private readonly ILogger _logger;
    private readonly Channel<SdMessage> _incoming = Channel.CreateBounded<SdMessage>(new BoundedChannelOptions(10_000) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private long _sent;
    private long _received;

    private SdClient(string id, SdEndpoint endpoint, MessageConnection connection, string? local, string? remote, string? tlsProtocol, ILogger logger)
    {
        Id = id;
        Endpoint = endpoint;
        _connection = connection;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        TlsProtocol = tlsProtocol;
        _logger = logger;
    }

    /// <summary>A process-wide id, such as <c>client-3</c>.</summary>
    public string Id { get; }

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

    /// <summary>Whether the connection is still open.</summary>
    public bool IsConnected => !_connection.IsClosed;

    /// <summary>Why the connection closed (end of stream, an error, or a local close); null while open.</summary>
    public string? CloseReason => _connection.CloseReason;

    /// <summary>Messages sent.</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Messages received (including those still queued).</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>Connects, and for tls:// completes the handshake.</summary>
    /// <param name="endpoint">A tcp://, tls:// or unix: endpoint.</param>
    /// <param name="options">Connection options; null for the defaults.</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="SdException">ConnectionRefused, ConnectTimeout, HostNotFound, TlsHandshakeFailed, CertificateNotFound...</exception>
    public static async Task<SdClient> ConnectAsync(SdEndpoint endpoint, ClientOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new ClientOptions();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.Client");
        var (stream, socket, tls) = await ClientConnector.ConnectAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        var id = "client-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
        var remote = endpoint.IsUnix ? endpoint.ToString() : socket.RemoteEndPoint?.ToString();
        var local = endpoint.IsUnix ? string.Empty : socket.LocalEndPoint?.ToString();
        var connection = new MessageConnection(id, stream, remote, options.MaxLineBytes, logger, options.Trace);
        var client = new SdClient(id, endpoint, connection, local, remote, tls, logger);
        connection.Start(client.OnLineAsync);
        _ = connection.Completion.ContinueWith(_ => client._incoming.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return client;
    }

    /// <summary>Sends one message.</summary>
    /// <exception cref="SdException">The connection is closed (reason <c>ConnectionClosed</c>).</exception>
    public async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await _connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex) && ex is not OperationCanceledException)
        {
            throw new SdException(SdErrorKind.ConnectionError, "ConnectionClosed", $"{Endpoint}: cannot send {message.Command}: the connection is closed ({CloseReason ?? ex.Message})", ex);
        }
    }

    /// <summary>Takes the next message that arrived, waiting up to <paramref name="timeout"/>.</summary>
    /// <returns>The message, or null when the connection has closed and nothing is left.</returns>
    /// <exception cref="SdException">Nothing arrived in time (kind Timeout, reason <c>ReceiveTimeout</c>).</exception>
    public async ValueTask<SdMessage?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan) deadline.CancelAfter(timeout);
        try
        {
            return await _incoming.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false) && _incoming.Reader.TryRead(out var message) ? message : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SdException(SdErrorKind.Timeout, "ReceiveTimeout", $"{Endpoint}: no message within {timeout.TotalMilliseconds:0} ms");
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Takes a message that already arrived, without waiting.</summary>
    public bool TryReceive(out SdMessage? message) => _incoming.Reader.TryRead(out message);

    /// <summary>Closes the connection (a TLS close_notify, then FIN).</summary>
    public ValueTask DisposeAsync()
    {
        // Completing the queue first frees a read loop blocked on a full queue.
        _incoming.Writer.TryComplete();
        return _connection.DisposeAsync();
    }

    private async ValueTask OnLineAsync(LineResult line)
    {
        if (line.Message is not { } message)
        {
            ConnectionLog.InvalidLine(_logger, Id, RemoteEndPoint, line.Error?.Message ?? "oversize");
            return;
        }

        Interlocked.Increment(ref _received);
        try
        {
            await _incoming.Writer.WriteAsync(message.WithArrival(Id, RemoteEndPoint, DateTimeOffset.UtcNow)).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Closed locally: nobody will read it.
        }
    }
}
