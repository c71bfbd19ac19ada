using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Connections;

/// <summary>
/// The transport on a byte stream (TCP, TLS or AF_UNIX): one message per line, one read loop on the
/// shared <see cref="LineReader"/>, writes through a <see cref="PipeWriter"/> serialized by a lock,
/// and a shutdown that is idempotent where the first reason wins. Used by servers, clients and
/// control endpoints alike.
/// </summary>
internal sealed class StreamTransport : IMessageTransport
{
    /// <summary>The most bytes of answers gathered before they are written anyway.</summary>
    private const int MaxGatheredBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly PipeWriter _writer;
    private readonly ILogger _logger;
    private readonly bool _trace;
    private readonly int _maxLineBytes;

    // A PipeWriter takes one writer at a time, and a flush may wait for room in the send buffer:
    // senders on other tasks (and the read loop's batch flush) take turns with this async lock.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();

    // Set by the read loop while it runs the lines of one read: answers then stay in the writer's
    // buffer and the batch ends with one flush (docs/performance.md, pipelined messages).
    private volatile bool _gathering;
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

        // The writer rents its buffer at the first GetSpan and returns it at every flush: an idle
        // connection holds no write buffer. The stream stays ours to dispose (a TLS close_notify to a
        // peer that is gone is expected, see DisposeAsync).
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
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
    /// together (pipelined requests), the answers stay in the writer's buffer and go out with one
    /// flush when the batch is done, or before a handler that does not complete at once is awaited:
    /// one system call (and one TLS record) per batch instead of one per message.
    /// </summary>
    /// <exception cref="IOException">The connection is closed or broke.</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was canceled. Before the message was written, the
    /// connection goes on; while it was being written (waiting for room in the send buffer), part of
    /// a line may be out and the connection is aborted.
    /// </exception>
    public async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        var text = message.ToString();
        var length = Encoding.UTF8.GetByteCount(text) + 1;
        if (_gathering && _writeLock.Wait(0, CancellationToken.None))
        {
            try
            {
                ThrowIfClosed();
                if (_gathering && _writer.UnflushedBytes + length <= MaxGatheredBytes)
                {
                    Append(text, length);
                    if (_trace) ConnectionLog.Trace(_logger, "out", Id, Peer, text);
                    return;
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            cancellationToken.ThrowIfCancellationRequested();

            // What was gathered before goes first: the order of messages is the order of the calls.
            Append(text, length);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        if (_trace) ConnectionLog.Trace(_logger, "out", Id, Peer, text);
    }

    private void ThrowIfClosed()
    {
        if (IsClosed) throw new IOException($"connection {Id} is closed: {CloseReason}");
    }

    /// <summary>Encodes one message and its <c>\n</c> into the writer's buffer; called under the write lock.</summary>
    private void Append(string text, int length)
    {
        var span = _writer.GetSpan(length);
        Encoding.UTF8.GetBytes(text, span);
        span[length - 1] = (byte)'\n';
        _writer.Advance(length);
    }

    /// <summary>
    /// Writes what the writer holds; called under the write lock. A flush that is canceled keeps its
    /// bytes in the writer, and part of them may be out already: the next flush would send them again,
    /// so the connection is aborted rather than left to write half a line twice. A flush that fails
    /// is left to the caller, as any write error: the peer is gone.
    /// </summary>
    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // The token is watched only while a flush waits for room in the send buffer: handing it to
        // FlushAsync would register it (on the service's token, which every session shares) at every
        // flush, even the ones that complete at once.
        var flush = _writer.FlushAsync(CancellationToken.None);
        FlushResult result;
        if (flush.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            result = await flush.ConfigureAwait(false);
        }
        else
        {
            await using (cancellationToken.UnsafeRegister(static writer => ((PipeWriter)writer!).CancelPendingFlush(), _writer).ConfigureAwait(false))
            {
                result = await flush.ConfigureAwait(false);
            }
        }

        if (result.IsCanceled)
        {
            Abort("a write was canceled");
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>Ends gathering and writes what was gathered, with one flush.</summary>
    private async ValueTask FlushGatheredAsync()
    {
        _gathering = false;

        // Only the read loop gathers, on this very task: what it gathered is seen here without the lock.
        if (_writer.UnflushedBytes == 0) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            // Even when the connection was closed meanwhile: an answer sent before a close (INVALID
            // for an oversize line, the last answer before QUIT) is still due, as it was when written at once.
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
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
            // Bytes still in the writer are those of a flush that failed or was canceled, to a peer that
            // is gone or on a connection aborted for it: they are dropped (completing with an error
            // writes nothing, and never blocks). Otherwise completing only returns the writer's buffers.
            _writer.Complete(_writer.UnflushedBytes > 0 ? new IOException($"connection {Id} closed with unsent bytes") : null);
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
