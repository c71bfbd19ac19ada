using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>
/// The calls a dispatcher needs to drive a handed-off socket itself, without a .NET <see cref="Socket"/>:
/// <c>recv(2)</c>/<c>send(2)</c> with <c>MSG_DONTWAIT</c>, <c>shutdown(2)</c> and <c>epoll(7)</c>. Building a Socket from a descriptor costs about 9 system calls (fstat, 4 getsockopt,
/// fcntl, getsockname, getpeername) and its first async operation 2 more (docs/handoff-protocol.md, pitfall 10).
/// </summary>
internal static unsafe partial class NativeSockets
{
    /// <summary>epoll(7) event bits (sys/epoll.h).</summary>
    public const uint EpollIn = 0x001, EpollOut = 0x004, EpollErr = 0x008, EpollHup = 0x010, EpollRdHup = 0x2000, EpollOneShot = 1u << 30;

    private const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3;
    private const int EpollCloexec = 0x80000;
    private const int MsgPeek = 0x2;
    private const int ShutRdwr = 2;
    private const int SoRcvTimeo = 20;

    /// <summary>struct epoll_event is packed (12 bytes) on x86_64 and naturally aligned (16 bytes) elsewhere.</summary>
    private static readonly int EpollEventBytes = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>The size of one entry of the buffer <see cref="EpollWait"/> fills.</summary>
    public static int EpollEventSize => EpollEventBytes;

    /// <summary>Creates an epoll instance, close-on-exec (epoll_create1(2)).</summary>
    /// <exception cref="SyscallException">epoll_create1 failed (EMFILE...).</exception>
    public static int EpollCreate()
    {
        var epoll = SysEpollCreate1(EpollCloexec);
        if (epoll < 0) throw new SyscallException("epoll_create1", Marshal.GetLastPInvokeError());
        return epoll;
    }

    /// <summary>Arms <paramref name="fd"/> for <paramref name="events"/> (epoll_ctl(2) ADD when <paramref name="add"/>, MOD otherwise), tagged with the descriptor itself.</summary>
    /// <exception cref="SyscallException">epoll_ctl failed.</exception>
    public static void EpollArm(int epoll, int fd, uint events, bool add)
    {
        var entry = stackalloc byte[16];
        *(uint*)entry = events;
        *(ulong*)(entry + EpollDataOffset) = (ulong)fd;
        if (SysEpollCtl(epoll, add ? EpollCtlAdd : EpollCtlMod, fd, entry) < 0) throw new SyscallException("epoll_ctl", Marshal.GetLastPInvokeError());
    }

    /// <summary>Removes <paramref name="fd"/> from the interest list. Needed before close(2) when another process holds a copy of the socket: epoll forgets a descriptor only when its last reference goes.</summary>
    public static void EpollRemove(int epoll, int fd) => _ = SysEpollCtl(epoll, EpollCtlDel, fd, null);

    /// <summary>Waits for events (epoll_wait(2)); <paramref name="buffer"/> holds entries of <see cref="EpollEventSize"/> bytes.</summary>
    /// <returns>The number of entries filled; 0 when interrupted (EINTR).</returns>
    /// <exception cref="SyscallException">epoll_wait failed (EBADF once the instance is closed).</exception>
    public static int EpollWait(int epoll, Span<byte> buffer, int timeoutMs)
    {
        fixed (byte* events = buffer)
        {
            var count = SysEpollWait(epoll, events, buffer.Length / EpollEventBytes, timeoutMs);
            if (count >= 0) return count;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Eintr) return 0;
            throw new SyscallException("epoll_wait", errno);
        }
    }

    /// <summary>The events and the descriptor of entry <paramref name="index"/> of an <see cref="EpollWait"/> buffer.</summary>
    public static (uint Events, int Fd) EpollEntry(ReadOnlySpan<byte> buffer, int index)
    {
        var entry = buffer.Slice(index * EpollEventBytes, EpollEventBytes);
        return (MemoryMarshal.Read<uint>(entry), (int)MemoryMarshal.Read<ulong>(entry[EpollDataOffset..]));
    }

    /// <summary>
    /// recv(2) with <c>MSG_DONTWAIT</c>; an empty <paramref name="buffer"/> peeks one byte, so that a
    /// zero-byte read can tell "data or end of stream" from "nothing yet" without consuming anything.
    /// </summary>
    /// <returns>The bytes read (0 at end of stream, or for an empty buffer when data or the end is there); -1 when nothing is there yet (EAGAIN).</returns>
    /// <exception cref="IOException">The connection failed (ECONNRESET...), with the <see cref="SocketException"/> as inner exception.</exception>
    public static int ReceiveNow(int fd, Span<byte> buffer)
    {
        byte peeked;
        var peek = buffer.IsEmpty;
        fixed (byte* data = buffer)
        {
            while (true)
            {
                var received = peek ? SysRecv(fd, &peeked, 1, MsgDontWait | MsgPeek) : SysRecv(fd, data, (nuint)buffer.Length, MsgDontWait);
                if (received >= 0) return peek ? 0 : (int)received;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                if (errno == Eagain) return -1;
                throw TransportError("read", errno);
            }
        }
    }

    /// <summary>send(2) with <c>MSG_DONTWAIT | MSG_NOSIGNAL</c>.</summary>
    /// <returns>The bytes sent, possibly fewer than given; -1 when the send buffer is full (EAGAIN).</returns>
    /// <exception cref="IOException">The connection failed (EPIPE, ECONNRESET...), with the <see cref="SocketException"/> as inner exception.</exception>
    public static int SendNow(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            while (true)
            {
                var sent = SysSend(fd, data, (nuint)buffer.Length, MsgDontWait | MsgNoSignal);
                if (sent >= 0) return (int)sent;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                if (errno == Eagain) return -1;
                throw TransportError("write", errno);
            }
        }
    }

    /// <summary>
    /// shutdown(2) both ways: the FIN goes now even though the listener still holds a copy of the
    /// socket until <c>CLOSED</c> (close(2) alone sends nothing while another reference lives).
    /// </summary>
    public static void ShutdownBoth(int fd) => _ = SysShutdown(fd, ShutRdwr);

    /// <summary>
    /// Sets how long a blocking receive waits before it fails with EAGAIN (<c>SO_RCVTIMEO</c>, socket(7)),
    /// in milliseconds; 0 waits for ever.
    /// </summary>
    /// <exception cref="SyscallException">setsockopt failed.</exception>
    public static void SetReceiveTimeout(SafeHandle socket, int timeoutMs)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var value = stackalloc long[2] { timeoutMs / 1000, timeoutMs % 1000 * 1000 }; // struct timeval
            if (SysSetsockopt((int)socket.DangerousGetHandle(), SolSocket, SoRcvTimeo, value, 16) < 0) throw new SyscallException("setsockopt", Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>An I/O failure as .NET's sockets report it: an <see cref="IOException"/> around the <see cref="SocketException"/>.</summary>
    private static IOException TransportError(string direction, int errno)
    {
        var inner = new SocketException((int)ToSocketError(errno));
        return new IOException($"Unable to {direction} data {(direction == "read" ? "from" : "to")} the transport connection: {inner.Message}.", inner);
    }

    /// <summary>The errno values recv/send give on a connected socket, as <see cref="SocketError"/>.</summary>
    private static SocketError ToSocketError(int errno) => errno switch
    {
        32 => SocketError.Shutdown,               // EPIPE
        103 => SocketError.ConnectionAborted,     // ECONNABORTED
        104 => SocketError.ConnectionReset,       // ECONNRESET
        107 => SocketError.NotConnected,          // ENOTCONN
        110 => SocketError.TimedOut,              // ETIMEDOUT
        113 => SocketError.HostUnreachable,       // EHOSTUNREACH
        9 or 88 => SocketError.NotSocket,         // EBADF, ENOTSOCK
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int SysEpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int SysEpollCtl(int epoll, int operation, int fd, byte* entry);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int SysEpollWait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint SysRecv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SysSend(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int SysShutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SysSetsockopt(int fd, int level, int name, void* value, uint valueLength);
}
