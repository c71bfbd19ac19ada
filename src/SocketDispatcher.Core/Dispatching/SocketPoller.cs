using SocketDispatcher.Interop;

namespace SocketDispatcher.Dispatching;

/// <summary>
/// One epoll(7) instance and the thread that waits on it, for the sockets a dispatcher drives itself
/// (<see cref="PolledSocketStream"/>). Each socket is armed one-shot for what it waits for, and its
/// waiting read or write is completed on this thread, inline: with several .NET processes on few cores,
/// the hop from the runtime's own epoll thread to the thread pool cost more than the connection's
/// work (docs/handoff-protocol.md, pitfall 11), so only code that never blocks may wait here.
/// </summary>
internal sealed class SocketPoller
{
    private static readonly Lazy<SocketPoller> Instance = new(() => new SocketPoller(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int _epoll;
    private readonly object _growing = new();

    // Indexed by descriptor: an event carries the descriptor, not a pointer, so a stale event for a
    // number already closed and reused only wakes the new owner for nothing (it retries, sees EAGAIN and waits again).
    private PolledSocketStream?[] _sockets = new PolledSocketStream?[1024];

    private SocketPoller()
    {
        _epoll = NativeSockets.EpollCreate();
        new Thread(Loop) { IsBackground = true, Name = "sd-poll" }.Start();
    }

    /// <summary>The process's poller, started on first use; it lives as long as the process.</summary>
    public static SocketPoller Shared => Instance.Value;

    /// <summary>Makes <paramref name="socket"/> the owner of its descriptor's events.</summary>
    public void Add(PolledSocketStream socket)
    {
        var fd = socket.Descriptor;
        lock (_growing)
        {
            if (fd >= _sockets.Length)
            {
                var larger = new PolledSocketStream?[Math.Max(fd + 1, _sockets.Length * 2)];
                _sockets.CopyTo(larger, 0);
                Volatile.Write(ref _sockets, larger);
            }

            Volatile.Write(ref _sockets[fd], socket);
        }
    }

    /// <summary>Arms the descriptor one-shot for <paramref name="events"/>; <paramref name="first"/> adds it to the interest list.</summary>
    /// <exception cref="SyscallException">epoll_ctl failed.</exception>
    public void Arm(int fd, uint events, bool first)
        => NativeSockets.EpollArm(_epoll, fd, events | NativeSockets.EpollOneShot | NativeSockets.EpollRdHup, first);

    /// <summary>Forgets the descriptor, before its close(2): the listener's copy would otherwise keep it in the interest list.</summary>
    public void Remove(PolledSocketStream socket, bool armed)
    {
        var fd = socket.Descriptor;
        if (armed) NativeSockets.EpollRemove(_epoll, fd);
        lock (_growing)
        {
            if (fd < _sockets.Length && ReferenceEquals(_sockets[fd], socket)) Volatile.Write(ref _sockets[fd], null);
        }
    }

    private void Loop()
    {
        var events = new byte[256 * NativeSockets.EpollEventSize];
        while (true)
        {
            var count = NativeSockets.EpollWait(_epoll, events, -1);
            for (var i = 0; i < count; i++)
            {
                // Read the table per event: a socket armed meanwhile may sit in a larger one.
                var (ready, fd) = NativeSockets.EpollEntry(events, i);
                var sockets = Volatile.Read(ref _sockets);
                if (fd >= sockets.Length || Volatile.Read(ref sockets[fd]) is not { } socket) continue;
                try
                {
                    socket.OnReady(ready);
                }
                catch (Exception ex)
                {
                    // A conversation's code threw on this thread (a bug): the other connections go on.
                    // A dispatcher's standard error goes to the listener's log.
                    Console.Error.WriteLine($"dispatcher {Environment.ProcessId}: a conversation failed on the poller thread (descriptor {fd}): {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }
}
