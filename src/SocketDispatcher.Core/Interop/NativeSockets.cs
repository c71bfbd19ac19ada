using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>
/// The only place that calls the C library for sockets, in three files: here <c>accept4(2)</c>,
/// <c>SO_PEERCRED</c> (socket(7)), <c>TCP_INFO</c> (tcp(7)), <c>socketpair(2)</c> and <c>fcntl(2)</c>;
/// the handoff records with <c>SCM_RIGHTS</c> in NativeSockets.Records.cs; a dispatcher's own driving of
/// its sockets (recv, send, epoll) in NativeSockets.Polling.cs. Declared with <see cref="LibraryImportAttribute"/> against
/// glibc on x86_64/arm64 Linux: the calls are blittable, allocate nothing, and keep errno
/// (<see cref="Marshal.GetLastPInvokeError"/>). Mono.Posix.NETStandard was used before; its
/// sendmsg/recvmsg wrappers allocated per call and lost errno. Everything above this class deals in
/// <see cref="Socket"/> and <see cref="SafeHandle"/>.
/// </summary>
internal static unsafe partial class NativeSockets
{
    /// <summary>SCM_MAX_FD in the kernel (include/net/scm.h): the most fds one message can carry.</summary>
    public const int MaxFileDescriptorsPerMessage = 253;

    /// <summary>Room for any socket address accept4 or getsockname can return (struct sockaddr_storage).</summary>
    public const int SocketAddressBytes = 128;

    private const int SolSocket = 1;        // <sys/socket.h>, Linux
    private const int ScmRights = 1;        // <sys/socket.h>
    private const int SoPeerCred = 17;      // <asm-generic/socket.h>
    private const int IpProtoTcp = 6;       // <netinet/in.h>
    private const int TcpInfo = 11;         // <netinet/tcp.h>
    private const int MsgCtrunc = 0x8;      // <bits/socket.h>
    private const int MsgTrunc = 0x20;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgWaitForOne = 0x10000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int SockStream = 1, SockDgram = 2, SockSeqpacket = 5;
    private const int SockCloexec = 0x80000; // O_CLOEXEC
    private const int AfUnix = 1, AfInet = 2, AfInet6 = 10;
    private const int FGetFd = 1, FSetFd = 2, FdCloexec = 1;
    private const int Eintr = 4, Eagain = 11;
    private const nuint FionRead = 0x541B;  // <asm-generic/ioctls.h>

    /// <summary>
    /// Blocks in <c>accept4(2)</c> for the next connection on a listening socket, close-on-exec
    /// (<c>SOCK_CLOEXEC</c>) and blocking, so that the receiving dispatcher sees the mode .NET assumes
    /// (docs/handoff-protocol.md, pitfall 2). No .NET <see cref="Socket"/> is made for it: that costs about 9
    /// system calls and a SocketAsyncEngine registration the listener never uses.
    /// </summary>
    /// <param name="listening">The listening socket.</param>
    /// <param name="address">Receives the peer's address (at least <see cref="SocketAddressBytes"/> bytes).</param>
    /// <param name="addressLength">The length of the peer's address in <paramref name="address"/>.</param>
    /// <returns>The accepted connection, closed by a plain close(2) when released.</returns>
    /// <exception cref="SyscallException">accept4 failed (ECONNABORTED, EMFILE, EINVAL once the socket is shut down...).</exception>
    public static SocketDescriptor Accept(SafeHandle listening, Span<byte> address, out int addressLength)
    {
        var added = false;
        try
        {
            listening.DangerousAddRef(ref added);
            var fd = (int)listening.DangerousGetHandle();
            fixed (byte* sockaddr = address)
            {
                int accepted;
                int errno;
                uint length;
                do
                {
                    length = (uint)address.Length;
                    accepted = SysAccept4(fd, sockaddr, &length, SockCloexec);
                    errno = accepted < 0 ? Marshal.GetLastPInvokeError() : 0;
                }
                while (accepted < 0 && errno == Eintr);
                if (accepted < 0) throw new SyscallException("accept4", errno);
                addressLength = (int)Math.Min(length, (uint)address.Length);
                return new SocketDescriptor(accepted);
            }
        }
        finally
        {
            if (added) listening.DangerousRelease();
        }
    }

    /// <summary>The local address of a socket (getsockname(2)) as <see cref="IPEndPoint.ToString"/> writes it; null when it is not IP.</summary>
    public static string? GetLocalEndPoint(SafeHandle socket)
    {
        Span<byte> address = stackalloc byte[SocketAddressBytes];
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var length = (uint)address.Length;
            fixed (byte* sockaddr = address)
            {
                if (SysGetsockname((int)socket.DangerousGetHandle(), sockaddr, &length) < 0) return null;
            }

            return ToIPEndPoint(address[..(int)Math.Min(length, (uint)address.Length)])?.ToString();
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>The address family of a struct sockaddr (sys/socket.h).</summary>
    public static AddressFamily FamilyOf(ReadOnlySpan<byte> address) => address.Length < 2
        ? AddressFamily.Unknown
        : BinaryPrimitives.ReadUInt16LittleEndian(address) switch
        {
            AfInet => AddressFamily.InterNetwork,
            AfInet6 => AddressFamily.InterNetworkV6,
            AfUnix => AddressFamily.Unix,
            _ => AddressFamily.Unknown,
        };

    /// <summary>A struct sockaddr_in or sockaddr_in6 (ip(7), ipv6(7)) as an endpoint; null for any other family.</summary>
    public static IPEndPoint? ToIPEndPoint(ReadOnlySpan<byte> address)
    {
        switch (FamilyOf(address))
        {
            case AddressFamily.InterNetwork when address.Length >= 8:
                return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
            case AddressFamily.InterNetworkV6 when address.Length >= 28:
                var scope = BinaryPrimitives.ReadUInt32LittleEndian(address[24..]);
                return new IPEndPoint(new IPAddress(address.Slice(8, 16), scope), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
            default:
                return null;
        }
    }

    /// <summary>Closes a descriptor with a plain close(2): never abortive, so a dispatcher's later close is a FIN (docs/handoff-protocol.md, pitfall 1).</summary>
    public static void Close(nint descriptor) => _ = SysClose((int)descriptor);

    /// <summary>The pid, uid and gid of the process at the other end of a connected AF_UNIX socket (<c>SO_PEERCRED</c>, socket(7)).</summary>
    public static PeerCredentials GetPeerCredentials(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return GetPeerCredentials(socket.SafeHandle);
    }

    /// <inheritdoc cref="GetPeerCredentials(Socket)"/>
    public static PeerCredentials GetPeerCredentials(SafeHandle socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        var length = GetSocketOption(socket, SolSocket, SoPeerCred, ucred);
        if (length < 12) throw new SocketException((int)SocketError.ProtocolOption);
        return new PeerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }

    /// <summary>
    /// Creates a pair of connected, unnamed AF_UNIX sockets (socketpair(2), unix(7)), both close-on-exec
    /// (<c>SOCK_CLOEXEC</c>) so that no child process inherits one by accident.
    /// </summary>
    /// <param name="type">Stream, Dgram or Seqpacket.</param>
    /// <exception cref="SyscallException">socketpair failed (EMFILE, ENFILE...).</exception>
    public static (SafeSocketHandle First, SafeSocketHandle Second) CreateSocketPair(SocketType type)
    {
        var native = type switch
        {
            SocketType.Stream => SockStream,
            SocketType.Dgram => SockDgram,
            SocketType.Seqpacket => SockSeqpacket,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "socketpair(2) takes SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET"),
        };
        var pair = stackalloc int[2];
        if (SysSocketpair(AfUnix, native | SockCloexec, 0, pair) < 0) throw new SyscallException("socketpair", Marshal.GetLastPInvokeError());
        return (new SafeSocketHandle(pair[0], ownsHandle: true), new SafeSocketHandle(pair[1], ownsHandle: true));
    }

    /// <summary>
    /// Clears or sets FD_CLOEXEC (fcntl(2) F_SETFD): a descriptor without it is inherited across
    /// execve(2), which is how one end of a socket pair reaches a child process.
    /// </summary>
    /// <exception cref="SyscallException">fcntl failed.</exception>
    public static void SetCloseOnExec(SafeHandle handle, bool closeOnExec)
    {
        if (SysFcntl((int)handle.DangerousGetHandle(), FSetFd, closeOnExec ? FdCloexec : 0) < 0) throw new SyscallException("fcntl", Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Whether nobody has done I/O on a TCP socket since it was accepted: nothing written (tcp(7)
    /// <c>TCP_INFO</c>: <c>tcpi_bytes_sent</c> and <c>tcpi_notsent_bytes</c> are 0) and nothing read
    /// (every byte received, <c>tcpi_bytes_received</c>, is still queued, <c>FIONREAD</c>). Such a
    /// connection can be handed to another process as if it had just been accepted. Not a TCP socket,
    /// or a kernel without these fields (before 4.19): false, the safe answer.
    /// </summary>
    public static bool IsUntouched(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            return socket.ProtocolType == ProtocolType.Tcp && IsUntouched(socket.SafeHandle);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <inheritdoc cref="IsUntouched(Socket)"/>
    public static bool IsUntouched(SafeHandle socket)
    {
        // Offsets in struct tcp_info (include/uapi/linux/tcp.h).
        const int BytesReceived = 128, NotSentBytes = 144, BytesSent = 200;
        Span<byte> info = stackalloc byte[256];
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var length = GetSocketOption(socket, IpProtoTcp, TcpInfo, info);
            if (length < BytesSent + sizeof(ulong)) return false;
            int queued;
            if (SysIoctl((int)socket.DangerousGetHandle(), FionRead, &queued) < 0) return false;
            var written = BinaryPrimitives.ReadUInt64LittleEndian(info[BytesSent..]) + BinaryPrimitives.ReadUInt32LittleEndian(info[NotSentBytes..]);
            var received = BinaryPrimitives.ReadUInt64LittleEndian(info[BytesReceived..]);
            return written == 0 && received == (ulong)queued;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>Whether a descriptor has FD_CLOEXEC set (fcntl(2) F_GETFD).</summary>
    public static bool IsCloseOnExec(SafeHandle handle)
    {
        var flags = SysFcntl((int)handle.DangerousGetHandle(), FGetFd, 0);
        if (flags < 0) throw new SyscallException("fcntl", Marshal.GetLastPInvokeError());
        return (flags & FdCloexec) != 0;
    }

    /// <summary>The real user id of this process (getuid(2)).</summary>
    public static uint GetUserId() => SysGetuid();

    /// <summary>getsockopt(2) into <paramref name="value"/>; throws <see cref="SocketException"/> with the errno, like <see cref="Socket.GetRawSocketOption"/>.</summary>
    private static int GetSocketOption(SafeHandle socket, int level, int name, Span<byte> value)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var length = (uint)value.Length;
            fixed (byte* data = value)
            {
                if (SysGetsockopt((int)socket.DangerousGetHandle(), level, name, data, &length) < 0)
                {
                    throw new SocketException(ToSocketErrorCode(Marshal.GetLastPInvokeError()));
                }
            }

            return (int)length;
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>The few errno values getsockopt gives here, as the <see cref="SocketError"/> .NET would report.</summary>
    private static int ToSocketErrorCode(int errno) => errno switch
    {
        9 => (int)SocketError.NotSocket,                  // EBADF
        88 => (int)SocketError.NotSocket,                 // ENOTSOCK
        92 or 95 => (int)SocketError.ProtocolOption,      // ENOPROTOOPT, EOPNOTSUPP
        _ => (int)SocketError.SocketError,
    };

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int SysAccept4(int fd, byte* address, uint* addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    private static partial int SysGetsockname(int fd, byte* address, uint* addressLength);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int SysGetsockopt(int fd, int level, int name, byte* value, uint* valueLength);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int SysIoctl(int fd, nuint request, int* value);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SysSocketpair(int domain, int type, int protocol, int* pair);

    // fcntl(2) is variadic in C; its third argument is an int for F_GETFD/F_SETFD, passed like a fixed one on x86_64 and arm64 Linux.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int SysFcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint SysGetuid();

}

/// <summary>A peer's credentials from <c>SO_PEERCRED</c> (socket(7)).</summary>
/// <param name="ProcessId">The peer's pid when it connected.</param>
/// <param name="UserId">The peer's effective uid.</param>
/// <param name="GroupId">The peer's effective gid.</param>
internal readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId);
