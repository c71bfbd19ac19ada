using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace SocketDispatcher.Interop;

/// <summary>
/// The only place that calls the C library for sockets: <c>sendmsg(2)</c>/<c>recvmsg(2)</c> with
/// <c>SCM_RIGHTS</c> (unix(7), cmsg(3)) through Mono.Posix.NETStandard, and <c>SO_PEERCRED</c>
/// (socket(7)). Everything above it deals in <see cref="Socket"/> and <see cref="SafeHandle"/>.
/// </summary>
internal static unsafe class NativeSockets
{
    /// <summary>SCM_MAX_FD in the kernel (include/net/scm.h): the most fds one message can carry.</summary>
    public const int MaxFileDescriptorsPerMessage = 253;

    private const int SolSocket = 1;      // <sys/socket.h>, Linux
    private const int SoPeerCred = 17;    // <asm-generic/socket.h>
    private const int IpProtoTcp = 6;     // <netinet/in.h>
    private const int TcpInfo = 11;       // <netinet/tcp.h>

    private static readonly long ControlSpace = (long)Syscall.CMSG_SPACE(sizeof(int) * MaxFileDescriptorsPerMessage);

    /// <summary>
    /// Sends one record with an optional descriptor attached as <c>SCM_RIGHTS</c>. Uses
    /// <c>MSG_NOSIGNAL</c> so that a dead peer gives EPIPE instead of SIGPIPE; with
    /// <paramref name="dontWait"/>, <c>MSG_DONTWAIT</c> so that a peer that stopped reading makes the
    /// call fail (EAGAIN) instead of blocking once the socket's send buffer is full.
    /// </summary>
    /// <returns>True when sent; false only with <paramref name="dontWait"/>, when the call would block
    /// (or failed without an errno, which Mono.Posix can lose: see <see cref="LastError"/>; a peer that
    /// is really gone shows as end of stream on the channel's reading side).</returns>
    /// <exception cref="SyscallException">sendmsg failed (EPIPE when the peer is gone).</exception>
    public static bool Send(SafeHandle channel, ReadOnlySpan<byte> payload, SafeHandle? descriptor, bool dontWait = false)
    {
        var addedChannel = false;
        var addedDescriptor = false;
        try
        {
            // DangerousGetHandle takes no reference: hold one so a concurrent Dispose cannot recycle the fd number.
            channel.DangerousAddRef(ref addedChannel);
            descriptor?.DangerousAddRef(ref addedDescriptor);
            fixed (byte* data = payload)
            {
                var message = new Msghdr
                {
                    msg_iov = [new Iovec { iov_base = (IntPtr)data, iov_len = (ulong)payload.Length }],
                    msg_iovlen = 1,
                };
                if (descriptor is not null)
                {
                    message.msg_control = new byte[Syscall.CMSG_SPACE(sizeof(int))];
                    message.msg_controllen = message.msg_control.Length;
                    var header = Syscall.CMSG_FIRSTHDR(message);
                    new Cmsghdr
                    {
                        cmsg_len = (long)Syscall.CMSG_LEN(sizeof(int)),
                        cmsg_level = UnixSocketProtocol.SOL_SOCKET,
                        cmsg_type = UnixSocketControlMessage.SCM_RIGHTS,
                    }.WriteToBuffer(message, header);
                    var at = (int)Syscall.CMSG_DATA(message, header);
                    BinaryPrimitives.WriteInt32LittleEndian(message.msg_control.AsSpan(at), (int)descriptor.DangerousGetHandle());
                }

                var flags = dontWait ? MessageFlags.MSG_NOSIGNAL | MessageFlags.MSG_DONTWAIT : MessageFlags.MSG_NOSIGNAL;
                long sent;
                do
                {
                    sent = Syscall.sendmsg((int)channel.DangerousGetHandle(), message, flags);
                }
                while (sent < 0 && Stdlib.GetLastError() == Errno.EINTR);
                if (sent < 0)
                {
                    var error = LastError("sendmsg");
                    if (dontWait && error.Errno is 0 or (int)Errno.EAGAIN) return false;
                    throw error;
                }

                if (sent != payload.Length) throw new SyscallException("sendmsg", 0, $"sent {sent} of {payload.Length} bytes");
                return true;
            }
        }
        finally
        {
            if (addedDescriptor) descriptor!.DangerousRelease();
            if (addedChannel) channel.DangerousRelease();
        }
    }

    /// <summary>
    /// Blocks in <c>recvmsg(2)</c> for one record. Received descriptors are close-on-exec
    /// (<c>MSG_CMSG_CLOEXEC</c>) and returned as owning handles in <paramref name="descriptors"/>.
    /// </summary>
    /// <returns>The record's length in bytes; 0 at end of stream (the peer closed or we shut down).</returns>
    /// <exception cref="SyscallException">recvmsg failed, the record did not fit (MSG_TRUNC), or the
    /// kernel dropped descriptors for lack of room (MSG_CTRUNC).</exception>
    public static int Receive(SafeHandle channel, Span<byte> buffer, List<SafeSocketHandle> descriptors)
    {
        var added = false;
        try
        {
            channel.DangerousAddRef(ref added);
            fixed (byte* data = buffer)
            {
                var message = new Msghdr
                {
                    msg_iov = [new Iovec { iov_base = (IntPtr)data, iov_len = (ulong)buffer.Length }],
                    msg_iovlen = 1,
                    msg_control = new byte[ControlSpace],
                    msg_controllen = ControlSpace,
                };
                long received;
                do
                {
                    received = Syscall.recvmsg((int)channel.DangerousGetHandle(), message, MessageFlags.MSG_CMSG_CLOEXEC);
                }
                while (received < 0 && Stdlib.GetLastError() == Errno.EINTR);
                if (received < 0) throw LastError("recvmsg");
                CollectDescriptors(message, descriptors);

                // MSG_CTRUNC: the kernel closed the fds that did not fit, so those connections are gone;
                // MSG_TRUNC: the payload was cut. Both are protocol failures the caller must see.
                if ((message.msg_flags & MessageFlags.MSG_CTRUNC) != 0) throw new SyscallException("recvmsg", 0, "MSG_CTRUNC: descriptors were dropped for lack of control buffer room");
                if ((message.msg_flags & MessageFlags.MSG_TRUNC) != 0) throw new SyscallException("recvmsg", 0, $"MSG_TRUNC: a record was longer than {buffer.Length} bytes");
                return (int)received;
            }
        }
        finally
        {
            if (added) channel.DangerousRelease();
        }
    }

    /// <summary>The pid, uid and gid of the process at the other end of a connected AF_UNIX socket (<c>SO_PEERCRED</c>, socket(7)).</summary>
    public static PeerCredentials GetPeerCredentials(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
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
            SocketType.Stream => UnixSocketType.SOCK_STREAM,
            SocketType.Dgram => UnixSocketType.SOCK_DGRAM,
            SocketType.Seqpacket => UnixSocketType.SOCK_SEQPACKET,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "socketpair(2) takes SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET"),
        };
        if (Syscall.socketpair(UnixAddressFamily.AF_UNIX, native, UnixSocketFlags.SOCK_CLOEXEC, (UnixSocketProtocol)0, out var first, out var second) < 0)
        {
            throw LastError("socketpair");
        }

        return (new SafeSocketHandle(first, ownsHandle: true), new SafeSocketHandle(second, ownsHandle: true));
    }

    /// <summary>
    /// Clears or sets FD_CLOEXEC (fcntl(2) F_SETFD): a descriptor without it is inherited across
    /// execve(2), which is how one end of a socket pair reaches a child process.
    /// </summary>
    /// <exception cref="SyscallException">fcntl failed.</exception>
    public static void SetCloseOnExec(SafeHandle handle, bool closeOnExec)
    {
        if (Syscall.fcntl((int)handle.DangerousGetHandle(), FcntlCommand.F_SETFD, closeOnExec ? 1 : 0) < 0) throw LastError("fcntl");
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
        if (socket.ProtocolType != ProtocolType.Tcp) return false;

        // Offsets in struct tcp_info (include/uapi/linux/tcp.h).
        const int BytesReceived = 128, NotSentBytes = 144, BytesSent = 200;
        Span<byte> info = stackalloc byte[256];
        try
        {
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
            if (length < BytesSent + sizeof(ulong)) return false;
            var written = BinaryPrimitives.ReadUInt64LittleEndian(info[BytesSent..]) + BinaryPrimitives.ReadUInt32LittleEndian(info[NotSentBytes..]);
            var received = BinaryPrimitives.ReadUInt64LittleEndian(info[BytesReceived..]);
            return written == 0 && received == (ulong)socket.Available;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Whether a descriptor has FD_CLOEXEC set (fcntl(2) F_GETFD).</summary>
    public static bool IsCloseOnExec(SafeHandle handle)
    {
        var flags = Syscall.fcntl((int)handle.DangerousGetHandle(), FcntlCommand.F_GETFD);
        if (flags < 0) throw LastError("fcntl");
        return (flags & 1) != 0; // FD_CLOEXEC
    }

    /// <summary>The real user id of this process (getuid(2)).</summary>
    public static uint GetUserId() => Syscall.getuid();

    private static void CollectDescriptors(Msghdr message, List<SafeSocketHandle> descriptors)
    {
        for (var offset = Syscall.CMSG_FIRSTHDR(message); offset != -1; offset = Syscall.CMSG_NXTHDR(message, offset))
        {
            var header = Cmsghdr.ReadFromBuffer(message, offset);
            if (header.cmsg_level != UnixSocketProtocol.SOL_SOCKET || header.cmsg_type != UnixSocketControlMessage.SCM_RIGHTS) continue;
            var count = (int)((header.cmsg_len - (long)Syscall.CMSG_LEN(0)) / sizeof(int));
            var at = (int)Syscall.CMSG_DATA(message, offset);
            for (var i = 0; i < count; i++)
            {
                var fd = BinaryPrimitives.ReadInt32LittleEndian(message.msg_control.AsSpan(at + (i * sizeof(int))));
                descriptors.Add(new SafeSocketHandle(fd, ownsHandle: true));
            }
        }
    }

    // Mono.Posix's sendmsg/recvmsg wrappers make further P/Invoke calls after the system call, and the
    // runtime clears errno around each, so a failure often reports errno 0. Callers must not depend on
    // the errno: every failure of the channel is treated as a broken channel.
    private static SyscallException LastError(string syscall)
    {
        var errno = NativeConvert.FromErrno(Stdlib.GetLastError());
        return errno == 0 ? new SyscallException(syscall, 0, "the call failed and the wrapper did not keep errno") : new SyscallException(syscall, errno);
    }
}

/// <summary>A peer's credentials from <c>SO_PEERCRED</c> (socket(7)).</summary>
/// <param name="ProcessId">The peer's pid when it connected.</param>
/// <param name="UserId">The peer's effective uid.</param>
/// <param name="GroupId">The peer's effective gid.</param>
internal readonly record struct PeerCredentials(int ProcessId, uint UserId, uint GroupId);
