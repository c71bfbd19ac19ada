using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Handoff;

/// <summary>
/// One connected AF_UNIX <c>SOCK_SEQPACKET</c> socket between the listener and a dispatcher
/// (docs/handoff-protocol.md, "The channel"). Each record is one message in the common format, optionally
/// carrying a socket as <c>SCM_RIGHTS</c>. Records are read by a dedicated thread blocking in <c>recvmsg</c>,
/// which hands them to one handler, in batches: a readiness probe would consume a SEQPACKET record and
/// drop its descriptors (docs/handoff-protocol.md, pitfall 5), and the channel's socket is never switched
/// to non-blocking by an async call (pitfall 2).
/// </summary>
internal sealed class HandoffChannel : IDisposable
{
    /// <summary>The largest record in bytes; a message on the channel is small.</summary>
    public const int MaxRecordBytes = 64 * 1024;

    /// <summary>The most records one receive takes (records queued together are read with one recvmmsg).</summary>
    public const int MaxRecordsPerReceive = 32;

    private readonly Socket _socket;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<IReadOnlyList<HandoffRecord>>? _handle;
    private Func<int>? _idle;
    private int _started;
    private int _disposed;

    /// <summary>Wraps a connected <c>SOCK_SEQPACKET</c> socket, in blocking mode; the channel owns it.</summary>
    public HandoffChannel(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
    }

    /// <summary>
    /// Completes when the reading thread has stopped: at end of stream (the peer closed, or this channel was
    /// disposed), or faulted with the receive error or the handler's exception. The records themselves go to
    /// the handler given to <see cref="Start"/>.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>The credentials of the process at the other end (SO_PEERCRED).</summary>
    public PeerCredentials GetPeerCredentials() => NativeSockets.GetPeerCredentials(_socket);

    /// <summary>Connects to a listener's handoff socket.</summary>
    /// <exception cref="SocketException">Nothing listens at <paramref name="endpoint"/>, or access is denied.</exception>
    public static HandoffChannel Connect(SdEndpoint endpoint)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(endpoint.ToEndPoint());
            return new HandoffChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the thread that reads records and hands them to <paramref name="handle"/>, in order, as
    /// batches of those that arrived together (one recvmmsg). Handling on the reading thread saves a
    /// thread-pool hop per record, which with several .NET processes on few cores costs more than the record
    /// itself (docs/handoff-protocol.md, pitfall 11); <paramref name="handle"/> must then never wait for this
    /// channel's peer. It owns the records it gets (disposes them); when it throws, the channel disposes that
    /// batch, stops reading and faults <see cref="Completion"/>.
    /// <paramref name="idle"/>, when given, is called on the thread before it waits for records: it returns
    /// how many milliseconds to wait at most before it is called again (it has work that is due then),
    /// or -1 to wait for the next record however long that takes. The wait is the socket's receive timeout,
    /// changed only when the answer changes: no extra system call per receive while records keep coming.
    /// </summary>
    /// <param name="threadName">The reading thread's name.</param>
    /// <param name="handle">Takes each batch of records.</param>
    /// <param name="idle">Says how long the thread may wait for records; null to wait forever.</param>
    /// <exception cref="InvalidOperationException">The channel is already reading.</exception>
    public void Start(string threadName, Action<IReadOnlyList<HandoffRecord>> handle, Func<int>? idle = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("the channel is already reading");
        _handle = handle;
        _idle = idle;
        new Thread(ReceiveLoop) { IsBackground = true, Name = threadName }.Start();
    }

    /// <summary>Sends one message, with <paramref name="descriptor"/> attached when given. Thread-safe: a record is atomic.</summary>
    /// <exception cref="SyscallException">The peer is gone (EPIPE) or the send failed.</exception>
    /// <exception cref="ObjectDisposedException">The channel is closed.</exception>
    public void Send(SdMessage message, SafeHandle? descriptor = null) => Send(message.ToString(), descriptor);

    /// <summary>Sends one record already written in the message format (<see cref="ConnectionRecord.Write"/>, ...), with <paramref name="descriptor"/> attached when given.</summary>
    /// <exception cref="SyscallException">The peer is gone (EPIPE) or the send failed.</exception>
    /// <exception cref="ObjectDisposedException">The channel is closed.</exception>
    public void Send(string text, SafeHandle? descriptor = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var length = Encoding.UTF8.GetByteCount(text);
        if (length > 512)
        {
            NativeSockets.Send(_socket.SafeHandle, Encoding.UTF8.GetBytes(text), descriptor);
            return;
        }

        // The usual record (CONNECTION, ACCEPTED, CLOSED) is short: encode it on the stack.
        Span<byte> bytes = stackalloc byte[512];
        NativeSockets.Send(_socket.SafeHandle, bytes[..Encoding.UTF8.GetBytes(text, bytes)], descriptor);
    }

    /// <summary>Sends one message unless the peer's queue is full (it stopped reading): then returns false instead of blocking.</summary>
    /// <exception cref="SyscallException">The peer is gone (EPIPE) or the send failed.</exception>
    /// <exception cref="ObjectDisposedException">The channel is closed.</exception>
    public bool TrySend(SdMessage message) => TrySend(message.ToString());

    /// <summary>Sends one record already written in the message format unless the peer's queue is full: then returns false instead of blocking.</summary>
    /// <exception cref="SyscallException">The peer is gone (EPIPE) or the send failed.</exception>
    /// <exception cref="ObjectDisposedException">The channel is closed.</exception>
    public bool TrySend(string text)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return NativeSockets.Send(_socket.SafeHandle, Encoding.UTF8.GetBytes(text), null, dontWait: true);
    }

    /// <summary>Closes the channel: the reading thread sees end of stream, and unread descriptors are closed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            // shutdown(2) wakes the thread blocked in recvmmsg; close alone would not.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }

        _socket.Dispose();

        // Also when the thread never started; a record it reads meanwhile still goes to the handler.
        _completion.TrySetResult();
    }

    private void ReceiveLoop()
    {
        using var batch = new RecordBatch(MaxRecordsPerReceive, MaxRecordBytes);
        var records = new List<HandoffRecord>(MaxRecordsPerReceive);
        var descriptors = new List<SocketDescriptor>(1);
        Exception? failure = null;
        try
        {
            var ended = false;
            var timeout = 0;
            while (!ended)
            {
                var wait = _idle?.Invoke() ?? -1;
                if (Math.Max(wait, 0) != timeout)
                {
                    timeout = Math.Max(wait, 0);
                    NativeSockets.SetReceiveTimeout(_socket.SafeHandle, timeout);
                }

                var count = NativeSockets.Receive(_socket.SafeHandle, batch);
                if (count < 0) continue; // the wait ran out: idle has work due
                records.Clear();
                for (var i = 0; i < count; i++)
                {
                    descriptors.Clear();
                    batch.TakeDescriptors(i, descriptors);
                    var payload = batch.Payload(i);
                    if (payload.IsEmpty && descriptors.Count == 0)
                    {
                        ended = true;
                        break;
                    }

                    records.Add(Decode(payload, descriptors));
                }

                if (records.Count == 0) continue;
                try
                {
                    _handle!(records);
                }
                catch
                {
                    // The handler failed before it disposed them: their sockets are closed, never leaked
                    // (a disposed record's Dispose does nothing).
                    foreach (var record in records) record.Dispose();
                    throw;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed under us: end of stream.
        }
        catch (Exception ex) when (Volatile.Read(ref _disposed) == 0)
        {
            failure = ex;
        }
        catch (Exception)
        {
            // Errors after Dispose are the shutdown itself.
        }

        if (failure is null) _completion.TrySetResult();
        else _completion.TrySetException(failure);
    }

    private static HandoffRecord Decode(ReadOnlySpan<byte> bytes, List<SocketDescriptor> descriptors)
    {
        // One socket per CONNECTION; any extra descriptor is a peer bug and is closed, never leaked
        // (docs/handoff-protocol.md, "The channel").
        for (var i = 1; i < descriptors.Count; i++) descriptors[i].Dispose();
        var descriptor = descriptors.Count > 0 ? descriptors[0] : null;
        if (!Utf8Text.TryDecode(bytes, out var text, out var invalidAt))
        {
            return new HandoffRecord("", null, new SdMessageFormatException(invalidAt, "the record is not valid UTF-8"), descriptor);
        }

        return SdMessage.TryParse(text, out var message, out var error)
            ? new HandoffRecord(text, message, null, descriptor)
            : new HandoffRecord(text, null, error, descriptor);
    }
}
