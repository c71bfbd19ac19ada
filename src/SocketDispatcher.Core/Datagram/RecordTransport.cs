using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Datagram;

/// <summary>
/// A connected record socket (<c>SOCK_SEQPACKET</c> or <c>SOCK_DGRAM</c>, as from socketpair(2)) that
/// carries one message per record (a datagram carries one message: docs/architecture.md, "Message format"). A trailing
/// <c>\n</c> is sent with each record, as <c>ed-signal</c> does, and tolerated on reading.
/// </summary>
internal sealed class RecordTransport : IMessageTransport
{
    /// <summary>The largest record read; a longer one is cut by the kernel and answered as invalid.</summary>
    public const int MaxRecordBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly string _id;
    private readonly string? _peer;
    private readonly ILogger _logger;
    private readonly bool _trace;
    private readonly CancellationTokenSource _closing = new();
    private Task _readLoop = Task.CompletedTask;
    private string? _closeReason;

    public RecordTransport(string id, Socket socket, string? peer, ILogger logger, bool trace)
    {
        _id = id;
        _socket = socket;
        _peer = peer;
        _logger = logger;
        _trace = trace;
    }

    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsClosed => _closing.IsCancellationRequested;

    public Task Completion => _readLoop;

    public void Start(Func<LineResult, ValueTask> onLine) => _readLoop = ReadLoopAsync(onLine);

    public async ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        if (IsClosed) throw new IOException($"connection {_id} is closed: {CloseReason}");
        var text = message.ToString();
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        try
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (sent != bytes.Length) throw new IOException($"connection {_id}: sent {sent} of {bytes.Length} bytes of one record");
        }
        catch (SocketException ex)
        {
            throw new IOException($"connection {_id}: {ex.Message}", ex);
        }

        if (_trace) ConnectionLog.Trace(_logger, "out", _id, _peer, text);
    }

    public void Abort(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null) ConnectionLog.Closed(_logger, _id, _peer, reason);
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
            // Wakes the peer of a SEQPACKET pair with end of stream; a datagram pair has no such thing.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Not connected any more.
        }

        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop logs its own failures.
        }

        _socket.Dispose();
        _closing.Dispose();
    }

    private async Task ReadLoopAsync(Func<LineResult, ValueTask> onLine)
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(MaxRecordBytes);
        try
        {
            while (!IsClosed)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                // recv(2) returns 0 for an orderly shutdown of a SEQPACKET peer (and for an empty datagram,
                // which carries no message either).
                if (length == 0 && _socket.SocketType == SocketType.Seqpacket) break;
                var record = Record(buffer.AsSpan(0, length));
                if (record.IsEmpty) continue;
                var line = LineReader.Decode(new ReadOnlySequence<byte>(record.ToArray()));
                if (_trace) ConnectionLog.Trace(_logger, "in", _id, _peer, line.Text);
                await onLine(line).ConfigureAwait(false);
            }

            Abort(IsClosed ? "closed" : "end of stream");
        }
        catch (Exception ex) when (SocketErrors.IsPeerError(ex))
        {
            Abort(ex is OperationCanceledException ? "closed" : ex.Message);
        }
        catch (Exception ex)
        {
            ConnectionLog.Failed(_logger, ex, _id, _peer);
            Abort(ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A record without its trailing <c>\n</c> (or <c>\r\n</c>).</summary>
    internal static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> bytes)
    {
        if (bytes.EndsWith("\n"u8)) bytes = bytes[..^1];
        if (bytes.EndsWith("\r"u8)) bytes = bytes[..^1];
        return bytes;
    }
}
