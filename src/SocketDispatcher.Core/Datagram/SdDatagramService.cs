using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Control;
using SocketDispatcher.Datagram;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A message service on a datagram endpoint, <c>udp://</c> or <c>unixgram:</c>: each datagram carries
/// one message (docs/architecture.md, "Message format"), is routed through an <see cref="SdMessageRouter"/> (built-ins
/// <c>HELP</c>, <c>ALIVE</c>, <c>UNKNOWN</c>, <c>INVALID</c> included), and answers go back to the
/// sender's address (sendto(2)). A datagram cannot be handed to another process once received, so
/// the service runs in the process that binds it (<c>sd serve</c>, or a listener's control endpoint).
/// </summary>
public sealed class SdDatagramService : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SdMessageRouter _router;
    private readonly SdDatagramServiceOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SdEndpoint _configured;
    private Task _loop = Task.CompletedTask;
    private long _received;
    private long _ignored;
    private long _nextId;

    private SdDatagramService(SdEndpoint endpoint, SdEndpoint configured, Socket socket, SdMessageRouter router, SdDatagramServiceOptions options, ILogger logger)
    {
        Endpoint = endpoint;
        _configured = configured;
        _socket = socket;
        _router = router;
        _options = options;
        _logger = logger;
    }

    /// <summary>The endpoint served, with the port the kernel chose for port 0.</summary>
    public SdEndpoint Endpoint { get; }

    /// <summary>Datagrams received.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Datagrams ignored for a missing or wrong <c>secret_code</c>.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Completes when the service has stopped (<see cref="StopAsync"/>, or a handler asked with <c>QUIT</c>).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds <paramref name="endpoint"/> and starts serving.</summary>
    /// <param name="endpoint">A <c>udp://ADDRESS:PORT</c> (an IP address; port 0 picks one) or <c>unixgram:PATH</c>/<c>unixgram:@NAME</c> endpoint.</param>
    /// <param name="router">The handlers.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="loggerFactory">Where the log goes.</param>
    /// <exception cref="SdException">Not a datagram endpoint, a host name (EndpointInvalid); the address is in use
    /// (AddressInUse) or not on this machine (AddressNotAvailable).</exception>
    public static SdDatagramService Start(SdEndpoint endpoint, SdMessageRouter router, SdDatagramServiceOptions? options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return Start(endpoint, router, options ?? new SdDatagramServiceOptions(), loggerFactory.CreateLogger("SocketDispatcher.Datagram"));
    }

    /// <summary>Binds and serves, logging to <paramref name="logger"/> (a listener's control endpoint logs as the listener).</summary>
    internal static SdDatagramService Start(SdEndpoint endpoint, SdMessageRouter router, SdDatagramServiceOptions options, ILogger logger)
    {
        var socket = DatagramSockets.Bind(endpoint);
        var bound = socket.LocalEndPoint is IPEndPoint local && endpoint.Port == 0 ? endpoint.WithPort(local.Port) : endpoint;
        var service = new SdDatagramService(bound, endpoint, socket, router, options, logger);
        service._loop = service.ReceiveLoopAsync();
        DatagramLog.Started(service._logger, Environment.ProcessId, bound.ToString());
        return service;
    }

    /// <summary>Stops receiving and removes the socket file; safe to call more than once.</summary>
    public async Task StopAsync(string reason = "stop requested")
    {
        if (!_stopping.IsCancellationRequested)
        {
            DatagramLog.Stopping(_logger, Endpoint.ToString(), reason);
            _stopping.Cancel();
        }

        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        DatagramSockets.RemoveSocketFile(_configured);
        _completion.TrySetResult();
    }

    /// <summary>Stops; see <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync("disposed").ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(RecordTransport.MaxRecordBytes);
        EndPoint any = Endpoint.IsUnix
            ? new UnixDomainSocketEndPoint("\0any")
            : new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    // An earlier answer met ICMP port unreachable (udp(7)): that sender is gone; go on.
                    continue;
                }

                Interlocked.Increment(ref _received);
                await HandleAsync(buffer.AsMemory(0, result.ReceivedBytes), result.RemoteEndPoint, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
        catch (SocketException ex) when (token.IsCancellationRequested)
        {
            _ = ex; // closed under the receive
        }
        catch (SocketException ex)
        {
            DatagramLog.ReceiveFailed(_logger, Endpoint.ToString(), ex.Message);
            _ = Task.Run(() => StopAsync(ex.Message), CancellationToken.None);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> datagram, EndPoint remote, CancellationToken cancellationToken)
    {
        var id = "dgram-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var (sender, peer, isLocal) = Describe(remote);
        var record = RecordTransport.Record(datagram.Span);
        if (record.IsEmpty) return;
        var line = LineReader.Decode(new ReadOnlySequence<byte>(record.ToArray()));
        if (_options.Trace) ConnectionLog.Trace(_logger, "in", id, peer, line.Text);
        if (!SecretCode.Admits(_options.SecretCode, line, Endpoint.ToString(), peer, _logger))
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        var session = new DatagramSession(id, _socket, sender, peer, isLocal, Endpoint.ToString(), _options.Trace, _logger, reason => _ = Task.Run(() => StopAsync(reason), CancellationToken.None));
        try
        {
            await _router.RouteAsync(session, line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            DatagramLog.HandlerFailed(_logger, ex, id, peer);
        }
    }

    private static (EndPoint? Sender, string? Peer, bool IsLocal) Describe(EndPoint remote)
    {
        if (remote is IPEndPoint ip) return (ip, ip.ToString(), IPAddress.IsLoopback(ip.Address));
        // An unbound unixgram sender has no name (unix(7) "unnamed"): nothing can be sent back to it.
        var text = remote.ToString() ?? string.Empty;
        if (text.Length == 0) return (null, "unixgram:(unnamed)", true);
        var shown = text[0] == '\0' ? "unixgram:@" + text[1..] : "unixgram:" + text;
        return (remote, shown, true);
    }
}
