using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Clients;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A client that never really dies (seed 001's permanent connection): it connects to a tcp://, tls://
/// or unix: endpoint, and when it cannot connect or loses the connection it tries again after the
/// pauses of <see cref="SdPermanentClientOptions.Pauses"/> (with jitter), whichever side starts first.
/// Messages sent while disconnected wait in a bounded queue and go out in order on reconnect.
/// Its state changes arrive among the messages as <c>SD_CONNECTED</c>, <c>SD_DISCONNECTED</c> and
/// <c>SD_RECONNECT_ATTEMPT</c> (parameters <c>endpoint</c>, <c>attempt</c>, <c>reason</c>, <c>pause_ms</c>).
/// Connecting is asynchronous with a timeout; no thread is held per client.
/// </summary>
public sealed class SdPermanentClient : SdConnection
{
    /// <summary>The command of the event that says the client is connected.</summary>
    public const string ConnectedEvent = "SD_CONNECTED";

    /// <summary>The command of the event that says the connection was lost.</summary>
    public const string DisconnectedEvent = "SD_DISCONNECTED";

    /// <summary>The command of the event that says a connection attempt starts.</summary>
    public const string ReconnectAttemptEvent = "SD_RECONNECT_ATTEMPT";

    private static long s_nextId;

    private readonly SdPermanentClientOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Queue<SdMessage> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _run = Task.CompletedTask;
    private volatile bool _connected;
    private string? _lastError;
    private long _connections;

    private SdPermanentClient(string id, SdEndpoint endpoint, SdPermanentClientOptions options, ILogger logger)
        : base(id, endpoint.ToString(), logger)
    {
        Endpoint = endpoint;
        _options = options;
    }

    /// <summary>The endpoint it keeps connecting to.</summary>
    public SdEndpoint Endpoint { get; }

    /// <inheritdoc/>
    public override bool IsConnected => _connected;

    /// <inheritdoc/>
    public override string? CloseReason => _connected ? null : _lastError;

    /// <summary>How many times it has connected.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Messages waiting for a connection.</summary>
    public int Queued
    {
        get
        {
            lock (_pending) return _pending.Count;
        }
    }

    /// <summary>Starts connecting (the first attempt at once) and returns without waiting for it.</summary>
    /// <param name="endpoint">A tcp://, tls:// or unix: endpoint.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="loggerFactory">Where trace and errors go; null for nowhere.</param>
    /// <exception cref="SdException">A datagram endpoint, an empty pause list, a negative pause or a queue capacity below 1 (kind InvalidArgument).</exception>
    public static SdPermanentClient Start(SdEndpoint endpoint, SdPermanentClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new SdPermanentClientOptions();
        if (!endpoint.IsStream) throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"{endpoint} is a datagram endpoint; a permanent client needs tcp://, tls:// or unix:");
        if (options.Pauses.Count == 0 || options.Pauses.Any(p => p < TimeSpan.Zero)) throw new SdException(SdErrorKind.InvalidArgument, "PauseInvalid", "the pause list needs at least one pause, none negative, such as 1s,2s,5s,10s");
        if (options.QueueCapacity < 1) throw new SdException(SdErrorKind.InvalidArgument, "QueueCapacityInvalid", $"the queue capacity must be 1 or more, not {options.QueueCapacity}");
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketDispatcher.Client");
        var client = new SdPermanentClient("permanent-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture), endpoint, options, logger);
        client._run = client.RunAsync();
        return client;
    }

    /// <summary>Sends at once when connected; otherwise queues the message for the next connection.</summary>
    /// <exception cref="SdException">The queue is full (kind ResourceUnavailable, reason <c>QueueFull</c>), or the client is disposed (<c>ConnectionClosed</c>).</exception>
    public override async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_stopping.IsCancellationRequested) throw Closed(message, "the client is closed", null);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connected && Transport is { IsClosed: false } transport)
            {
                try
                {
                    await transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    CountSent();
                    return;
                }
                catch (Exception ex) when (SocketErrors.IsPeerError(ex) && ex is not OperationCanceledException)
                {
                    // Lost under the write: keep the message for the next connection rather than drop it.
                    transport.Abort(ex.Message);
                }
            }

            lock (_pending)
            {
                if (_pending.Count >= _options.QueueCapacity)
                {
                    throw new SdException(SdErrorKind.ResourceUnavailable, "QueueFull", $"{Target}: not connected and {_options.QueueCapacity} messages already wait; {message.Command} was not queued");
                }

                _pending.Enqueue(message);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Stops reconnecting and closes the connection; queued messages are dropped.</summary>
    public override async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while connecting or pausing.
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var token = _stopping.Token;
        var failures = 0;
        var attempt = 0L;
        try
        {
            while (!token.IsCancellationRequested)
            {
                attempt++;
                await Event(ReconnectAttemptEvent, ("attempt", attempt.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
                StreamTransport transport;
                try
                {
                    var (stream, _, _) = await ClientConnector.ConnectAsync(Endpoint, _options.Connection, token).ConfigureAwait(false);
                    transport = new StreamTransport(Id, stream, Target, _options.Connection.MaxLineBytes, Logger, _options.Connection.Trace);
                }
                catch (SdException ex)
                {
                    _lastError = ex.Message;
                    var pause = Jittered(_options.Pauses[Math.Min(failures, _options.Pauses.Count - 1)]);
                    failures++;
                    ClientLog.ConnectFailed(Logger, Id, Target, ex.Message, (long)pause.TotalMilliseconds);
                    await Task.Delay(pause, token).ConfigureAwait(false);
                    continue;
                }

                failures = 0;
                Interlocked.Increment(ref _connections);
                // Before the first message read, so that SD_CONNECTED comes ahead of what the server says.
                await Event(ConnectedEvent, ("attempt", attempt.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
                await _sendLock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    Attach(transport, Target, completesQueue: false);
                    await FlushAsync(transport, token).ConfigureAwait(false);
                    _connected = !transport.IsClosed;
                }
                finally
                {
                    _sendLock.Release();
                }

                await using (token.Register(() => transport.Abort("closed")))
                {
                    await transport.Completion.ConfigureAwait(false);
                }

                _connected = false;
                _lastError = transport.CloseReason;
                await transport.DisposeAsync().ConfigureAwait(false);
                if (token.IsCancellationRequested) break;
                await Event(DisconnectedEvent, ("reason", transport.CloseReason ?? "closed")).ConfigureAwait(false);
                attempt = 0;
            }
        }
        finally
        {
            _connected = false;
            CompleteQueue();
        }
    }

    /// <summary>Sends the queued messages in order; one that fails stays first in the queue.</summary>
    private async Task FlushAsync(StreamTransport transport, CancellationToken cancellationToken)
    {
        while (true)
        {
            SdMessage next;
            lock (_pending)
            {
                if (!_pending.TryPeek(out next!)) return;
            }

            try
            {
                await transport.SendAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (SocketErrors.IsPeerError(ex) && ex is not OperationCanceledException)
            {
                transport.Abort(ex.Message);
                return;
            }

            CountSent();
            lock (_pending) _pending.Dequeue();
        }
    }

    private TimeSpan Jittered(TimeSpan pause)
    {
        var factor = 1 + (((Random.Shared.NextDouble() * 2) - 1) * _options.Jitter);
        return TimeSpan.FromTicks((long)(pause.Ticks * factor));
    }

    private ValueTask Event(string command, params (string Name, string Value)[] parameters)
    {
        var all = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).Append(new("endpoint", Target));
        return DeliverAsync(new SdMessage(command, all).WithArrival(Id, "local", DateTimeOffset.UtcNow));
    }
}
