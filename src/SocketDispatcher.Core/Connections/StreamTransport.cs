using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Connections;

/// <summary>
/// The transport on a byte stream (TCP, TLS or AF_UNIX): one message per line, one read loop on the
/// shared <see cref="LineReader"/>, writes serialized by a lock, and a shutdown that is idempotent
/// where the first reason wins, like every connection object here. Used by servers, clients and
/// control endpoints alike.
/// </summary>
internal sealed class StreamTransport : IMessageTransport
{
    private readonly Stream _stream;
    private readonly ILogger _logger;
    private readonly bool _trace;
    private readonly int _maxLineBytes;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();

    /// <summary>The most bytes of answers gathered before they are written anyway.</summary>
    private const int MaxGatheredBytes = 64 * 1024;
    private volatile bool _gathering;
    private byte[]? _pending;
    private int _pendingLength;
    private Task _readLoop = Task.CompletedTask;
    private string? _closeReason;

    public StreamTransport(string id, Stream stream, string? peer, int maxLineBytes, ILogger logger, bool trace)
    {
        Id = id;
        Peer = peer;
        _stream = stream;
        _maxLineBytes = maxLineBytes;
        _logger = logger;
        _trace = trace;
    }

    public string Id { get; }

    public string? Peer { get; }

    /// <summary>Why the connection closed, once it has; the first reason given wins.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosed => _closing.IsCancellationRequested;

    /// <summary>The read loop: completes at end of stream, on an oversize line, or on <see cref="Abort"/>.</summary>
    public Task Completion => _readLoop;

    /// <summary>Starts reading; <paramref name="onLine"/> sees every line in order, valid or not.</summary>
    public void Start(Func<LineResult, ValueTask> onLine)
    {
        _readLoop = ReadLoopAsync(onLine);
    }

    /// <summary>
    /// Writes one message and its <c>\n</c>. While the read loop handles a batch of lines that arrived
    /// together (pipelined requests), the answers are gathered and written with one write and one flush
    /// when the batch is done, or before a handler that does not complete at once is awaited: one
    /// system call (and one TLS record) per batch instead of one per message.
    /// </summary>
    /// <exception cref="IOException">The connection is closed or broke.</exception>
    public async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        var text = message.ToString();
        var length = Encoding.UTF8.GetByteCount(text) + 1;
        if (_gathering && _writeLock.Wait(0))
        {
            try
            {
                if (IsClosed) throw new IOException($"connection {Id} is closed: {CloseReason}");
                if (_gathering && _pendingLength + length <= MaxGatheredBytes)
                {
                    Gather(text, length);
                    if (_trace) ConnectionLog.Trace(_logger, "out", Id, Peer, text);
                    return;
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.UTF8.GetBytes(text, buffer);
            buffer[length - 1] = (byte)'\n';
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (IsClosed) throw new IOException($"connection {Id} is closed: {CloseReason}");

                // What was gathered before goes first: the order of messages is the order of the calls.
                await WritePendingAsync(flush: false, cancellationToken).ConfigureAwait(false);
                await _stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_trace) ConnectionLog.Trace(_logger, "out", Id, Peer, text);
    }

    /// <summary>Appends one encoded message to the gathered answers; called under the write lock.</summary>
    private void Gather(string text, int length)
    {
        var needed = _pendingLength + length;
        if (_pending is null || _pending.Length < needed)
        {
            // Rented only while answers are gathered: an idle connection holds no write buffer.
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = larger;
        }

        Encoding.UTF8.GetBytes(text, _pending.AsSpan(_pendingLength));
        _pending[needed - 1] = (byte)'\n';
        _pendingLength = needed;
    }

    /// <summary>Writes the gathered answers, if any, and returns the buffer to the pool; called under the write lock.</summary>
    private async ValueTask WritePendingAsync(bool flush, CancellationToken cancellationToken)
    {
        if (_pending is not { } pending) return;
        var length = _pendingLength;
        _pending = null;
        _pendingLength = 0;
        try
        {
            if (length == 0) return;
            await _stream.WriteAsync(pending.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if (flush) await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pending);
        }
    }

    /// <summary>Ends gathering and writes what was gathered, with one flush.</summary>
    private async ValueTask FlushGatheredAsync()
    {
        _gathering = false;
        if (Volatile.Read(ref _pendingLength) == 0) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // Even when the connection was closed meanwhile: an answer sent before a close (INVALID
            // for an oversize line, the last answer before QUIT) is still due, as it was when written at once.
            await WritePendingAsync(flush: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClosed && SocketErrors.IsPeerError(ex))
        {
            // Closed, and the peer is gone too: nobody reads the answers.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Stops the connection; safe to call more than once, the first reason is kept.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            ConnectionLog.Closed(_logger, Id, Peer, reason);
        }

        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort("closed");
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop logs its own failures.
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex))
        {
            // A TLS close_notify to a peer that is gone.
        }
        finally
        {
            _writeLock.Release();
        }

        _closing.Dispose();
    }

    private async Task ReadLoopAsync(Func<LineResult, ValueTask> onLine)
    {
        await Task.Yield();
        // Zero-byte reads: an idle connection waits for data without holding the reader's 4 KiB
        // buffer, which was about 40 % of a dispatcher's memory per idle plain connection.
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        try
        {
            await LineReader.ReadAsync(reader, _maxLineBytes, async lines =>
            {
                try
                {
                    _gathering = lines.Count > 1;
                    foreach (var line in lines)
                    {
                        if (_trace) ConnectionLog.Trace(_logger, "in", Id, Peer, line.Text);
                        var handled = onLine(line);
                        if (handled.IsCompletedSuccessfully)
                        {
                            handled.GetAwaiter().GetResult();
                        }
                        else
                        {
                            // The handler waits for something: what was answered so far goes out now,
                            // and its own sends meanwhile are written at once.
                            await FlushGatheredAsync().ConfigureAwait(false);
                            await handled.ConfigureAwait(false);
                            _gathering = lines.Count > 1;
                        }

                        if (IsClosed) return;
                    }
                }
                finally
                {
                    await FlushGatheredAsync().ConfigureAwait(false);
                }
            }, _closing.Token).ConfigureAwait(false);
            Abort(IsClosed ? "closed" : "end of stream");
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex))
        {
            if (!IsClosed) ConnectionLog.PeerError(_logger, Id, Peer, ex.Message);
            Abort(ex is OperationCanceledException ? "closed" : ex.Message);
        }
        catch (Exception ex)
        {
            ConnectionLog.Failed(_logger, ex, Id, Peer);
            Abort(ex.Message);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
