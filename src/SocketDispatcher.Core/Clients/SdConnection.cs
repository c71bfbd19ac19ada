using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A connection that speaks messages: a client (<see cref="SdClient"/>, <see cref="SdPermanentClient"/>) or
/// one end of a socket pair (<see cref="SdSocketPair"/>). Messages that arrive wait in a queue
/// (10,000 at most; past that reading stops and the peer is pushed back) until
/// <see cref="ReceiveAsync"/> takes them.
/// </summary>
public class SdConnection : IAsyncDisposable
{
    private readonly Channel<SdMessage> _incoming = Channel.CreateBounded<SdMessage>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private IMessageTransport? _transport;
    private long _sent;
    private long _received;

    internal SdConnection(string id, string target, ILogger logger)
    {
        Id = id;
        Target = target;
        Logger = logger;
    }

    /// <summary>A process-wide id, such as <c>client-3</c> or <c>pair-2a</c>.</summary>
    public string Id { get; }

    /// <summary>What the connection goes to: the endpoint text, or <c>socketpair:TYPE</c> for a pair's end.</summary>
    public string Target { get; }

    /// <summary>Whether the connection is open now.</summary>
    public virtual bool IsConnected => _transport is { IsClosed: false };

    /// <summary>Why the connection closed (end of stream, an error, or a local close); null while open.</summary>
    public virtual string? CloseReason => _transport?.CloseReason;

    /// <summary>Messages sent.</summary>
    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Messages received (including those still queued).</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    private protected ILogger Logger { get; }

    /// <summary>Sends one message.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="SdException">The connection is closed (kind ConnectionError, reason <c>ConnectionClosed</c>).</exception>
    public virtual async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var transport = _transport ?? throw Closed(message, "not connected", null);
        try
        {
            await transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
            CountSent();
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex) && ex is not OperationCanceledException)
        {
            throw Closed(message, transport.CloseReason ?? ex.Message, ex);
        }
    }

    /// <summary>Takes the next message that arrived, waiting up to <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> for no limit).</summary>
    /// <returns>The message, or null when the connection has closed for good and nothing is left.</returns>
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
            throw new SdException(SdErrorKind.Timeout, "ReceiveTimeout", $"{Target}: no message within {timeout.TotalMilliseconds:0} ms");
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Takes a message that already arrived, without waiting.</summary>
    public bool TryReceive(out SdMessage? message) => _incoming.Reader.TryRead(out message);

    /// <summary>Closes the connection (for TLS a close_notify, then FIN); messages still queued stay readable.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        // Completing the queue first frees a read loop blocked on a full queue.
        _incoming.Writer.TryComplete();
        if (_transport is { } transport) await transport.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Attaches a transport and starts reading from it; when <paramref name="completesQueue"/>, its end ends the queue too.</summary>
    private protected void Attach(IMessageTransport transport, string? peer, bool completesQueue)
    {
        _transport = transport;
        transport.Start(line => OnLineAsync(line, peer));
        if (completesQueue)
        {
            _ = transport.Completion.ContinueWith(_ => _incoming.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The transport in use, or null.</summary>
    private protected IMessageTransport? Transport => _transport;

    private protected void CountSent() => Interlocked.Increment(ref _sent);

    /// <summary>Puts a message in the queue, as if it had arrived (a permanent client's events).</summary>
    private protected ValueTask DeliverAsync(SdMessage message) => WriteAsync(message);

    /// <summary>Ends the queue: after the queued messages, <see cref="ReceiveAsync"/> returns null.</summary>
    private protected void CompleteQueue() => _incoming.Writer.TryComplete();

    private protected SdException Closed(SdMessage message, string reason, Exception? inner)
        => new(SdErrorKind.ConnectionError, "ConnectionClosed", $"{Target}: cannot send {message.Command}: the connection is closed ({reason})", inner);

    private async ValueTask OnLineAsync(LineResult line, string? peer)
    {
        if (line.Message is not { } message)
        {
            ConnectionLog.InvalidLine(Logger, Id, peer, line.Error?.Message ?? "oversize");
            return;
        }

        Interlocked.Increment(ref _received);
        await WriteAsync(message.WithArrival(Id, peer, DateTimeOffset.UtcNow)).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(SdMessage message)
    {
        try
        {
            await _incoming.Writer.WriteAsync(message).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Closed locally: nobody will read it.
        }
    }
}
