using System.Threading.Tasks.Sources;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Dispatching;

/// <summary>
/// A handed-off socket driven with its own system calls: each read or write is tried at once with
/// <c>MSG_DONTWAIT</c> and, only when it would block, waits for the <see cref="SocketPoller"/>. No .NET
/// <see cref="System.Net.Sockets.Socket"/> is built, which saves about 11 system calls per connection
/// (docs/handoff-protocol.md, pitfall 10). A waiting read or write resumes on the poller's thread, so the
/// conversation on it must never block: dispatchers use it for built-in handlers without TLS.
/// Disposing it shuts the connection down (the FIN goes now) and closes the descriptor with a plain close(2).
/// </summary>
internal sealed class PolledSocketStream : Stream
{
    private readonly SocketDescriptor _handle;
    private readonly SocketPoller _poller;
    private readonly object _gate = new();
    private readonly Waiter _reading;
    private readonly Waiter _writing;
    private bool _armed;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="handle"/>, a connected stream socket.</summary>
    public PolledSocketStream(SocketDescriptor handle, SocketPoller poller)
    {
        _handle = handle;
        _poller = poller;
        Descriptor = (int)handle.DangerousGetHandle();
        _reading = new Waiter(this, NativeSockets.EpollIn);
        _writing = new Waiter(this, NativeSockets.EpollOut);
        poller.Add(this);
    }

    /// <summary>The socket's descriptor.</summary>
    public int Descriptor { get; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Reads what is there, or waits for data. An empty <paramref name="buffer"/> waits until data or the end of the stream is there and returns 0 (a zero-byte read).</summary>
    /// <exception cref="IOException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled while waiting.</exception>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var received = NativeSockets.ReceiveNow(Descriptor, buffer.Span);
            if (received >= 0) return received;
            await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes all of <paramref name="buffer"/>, waiting for room in the send buffer when it is full.</summary>
    /// <exception cref="IOException">The connection failed (the peer reset it, EPIPE).</exception>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sent = NativeSockets.SendNow(Descriptor, buffer.Span);
            if (sent >= 0)
            {
                buffer = buffer[sent..];
                continue;
            }

            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Blocking read; never call it on the poller's thread.</summary>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Blocking write; never call it on the poller's thread.</summary>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Nothing is buffered: a write is on the socket when it completes.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Called by the poller's thread with the events that fired: resumes the waiting read and write they satisfy, and arms again for the rest.</summary>
    internal void OnReady(uint events)
    {
        const uint Failed = NativeSockets.EpollErr | NativeSockets.EpollHup;
        bool read, write;
        lock (_gate)
        {
            if (_disposed) return;
            read = _reading.IsWaiting && (events & (NativeSockets.EpollIn | NativeSockets.EpollRdHup | Failed)) != 0;
            write = _writing.IsWaiting && (events & (NativeSockets.EpollOut | Failed)) != 0;
            if (read) _reading.IsWaiting = false;
            if (write) _writing.IsWaiting = false;
            if (!TryArm(out var failure))
            {
                // Cannot wait any more: the one still waiting sees the error.
                if (_reading.IsWaiting) _reading.Fail(failure!);
                if (_writing.IsWaiting) _writing.Fail(failure!);
            }
        }

        // Outside the lock: the continuation runs here, and may read, write or dispose this stream.
        if (read) _reading.Resume(inline: true);
        if (write) _writing.Resume(inline: true);
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            base.Dispose(disposing);
            return;
        }

        bool armed;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            armed = _armed;
        }

        _poller.Remove(this, armed);
        _reading.Cancel(static () => new ObjectDisposedException(nameof(PolledSocketStream)));
        _writing.Cancel(static () => new ObjectDisposedException(nameof(PolledSocketStream)));
        NativeSockets.ShutdownBoth(Descriptor);
        _handle.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Arms the descriptor for what is still waited for, if anything; called under the lock.</summary>
    private bool TryArm(out Exception? failure)
    {
        failure = null;
        var events = (_reading.IsWaiting ? NativeSockets.EpollIn : 0) | (_writing.IsWaiting ? NativeSockets.EpollOut : 0);
        if (events == 0) return true;
        try
        {
            _poller.Arm(Descriptor, events, first: !_armed);
            _armed = true;
            return true;
        }
        catch (SyscallException ex)
        {
            failure = ex;
            return false;
        }
    }

    /// <summary>The one read or the one write waiting for readiness; reused for every wait (no allocation).</summary>
    private sealed class Waiter(PolledSocketStream owner, uint events) : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationTokenRegistration _cancellation;

        /// <summary>Whether a wait is armed and not completed yet; read and written under the owner's lock.</summary>
        public bool IsWaiting { get; set; }

        private uint Events => events;

        public ValueTask WaitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (owner._gate)
            {
                ObjectDisposedException.ThrowIf(owner._disposed, owner);
                if (IsWaiting) throw new InvalidOperationException(Events == NativeSockets.EpollIn ? "a read is already waiting" : "a write is already waiting");
                _core.Reset();
                IsWaiting = true;
            }

            // Registered before arming: a token canceled meanwhile ends this wait, never a later one.
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(() => new OperationCanceledException(token)), this);
            }

            lock (owner._gate)
            {
                // Disposed meanwhile: Dispose ends the wait; arming now could add a closed descriptor.
                if (IsWaiting && !owner._disposed && !owner.TryArm(out var failure)) Fail(failure!);
            }

            return new ValueTask(this, _core.Version);
        }

        /// <summary>Completes the wait; the caller retries its system call.</summary>
        public void Resume(bool inline)
        {
            _cancellation.Unregister();
            _core.RunContinuationsAsynchronously = !inline;
            _core.SetResult(true);
        }

        /// <summary>Ends a wait with the exception <paramref name="error"/> makes, from any thread; does nothing (makes none) when none is waiting.</summary>
        public void Cancel(Func<Exception> error)
        {
            lock (owner._gate)
            {
                if (!IsWaiting) return;
                IsWaiting = false;
            }

            // Not inline: the canceling thread (an Abort, a Dispose) must not run the reader's code.
            _cancellation.Unregister();
            _core.RunContinuationsAsynchronously = true;
            _core.SetException(error());
        }

        /// <summary>Ends a wait with <paramref name="error"/>; called under the owner's lock.</summary>
        public void Fail(Exception error)
        {
            IsWaiting = false;
            _cancellation.Unregister();
            _core.RunContinuationsAsynchronously = true;
            _core.SetException(error);
        }

        public void GetResult(short token)
        {
            _core.GetResult(token);
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
