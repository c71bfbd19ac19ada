using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>
/// Records of the handoff channel: <c>sendmsg(2)</c> with a descriptor as <c>SCM_RIGHTS</c>, and
/// <c>recvmmsg(2)</c> for every record already queued (unix(7), cmsg(3)).
/// </summary>
internal static unsafe partial class NativeSockets
{
    // cmsg(3) on glibc/Linux 64-bit: struct cmsghdr is { size_t cmsg_len; int cmsg_level; int cmsg_type; },
    // and CMSG_DATA/CMSG_SPACE align to sizeof(size_t) (docs/handoff-protocol.md, pitfall 8).
    private static readonly int CmsgHeaderBytes = sizeof(Cmsghdr);
    internal static readonly int ControlSpace = CmsgSpace(sizeof(int) * MaxFileDescriptorsPerMessage);

    /// <summary>
    /// Sends one record with an optional descriptor attached as <c>SCM_RIGHTS</c>. Uses
    /// <c>MSG_NOSIGNAL</c> so that a dead peer gives EPIPE instead of SIGPIPE; with
    /// <paramref name="dontWait"/>, <c>MSG_DONTWAIT</c> so that a peer that stopped reading makes the
    /// call fail (EAGAIN) instead of blocking once the socket's send buffer is full.
    /// </summary>
    /// <returns>True when sent; false only with <paramref name="dontWait"/>, when the call would block (EAGAIN).</returns>
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

            // The control buffer lives on the stack: nothing is allocated per record.
            var control = stackalloc ulong[(CmsgSpace(sizeof(int)) + 7) / 8];
            fixed (byte* data = payload)
            {
                var vector = new Iovec { Base = data, Length = (nuint)payload.Length };
                var message = new Msghdr { Iov = &vector, IovLength = 1 };
                if (descriptor is not null)
                {
                    var header = (Cmsghdr*)control;
                    header->Length = (nuint)(CmsgHeaderBytes + sizeof(int));
                    header->Level = SolSocket;
                    header->Type = ScmRights;
                    *(int*)((byte*)control + CmsgHeaderBytes) = (int)descriptor.DangerousGetHandle();
                    message.Control = control;
                    message.ControlLength = (nuint)CmsgSpace(sizeof(int));
                }

                var flags = dontWait ? MsgNoSignal | MsgDontWait : MsgNoSignal;
                var fd = (int)channel.DangerousGetHandle();
                nint sent;
                int errno;
                do
                {
                    sent = SysSendmsg(fd, &message, flags);
                    errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
                }
                while (sent < 0 && errno == Eintr);
                if (sent < 0)
                {
                    if (dontWait && errno == Eagain) return false;
                    throw new SyscallException("sendmsg", errno);
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
    /// Blocks in <c>recvmmsg(2)</c> until at least one record is there, then takes every record already
    /// queued, up to the batch's size, in the same call (<c>MSG_WAITFORONE</c>): records that arrived
    /// together cost one system call and one wake-up. Descriptors are close-on-exec (<c>MSG_CMSG_CLOEXEC</c>);
    /// take them with <see cref="RecordBatch.TakeDescriptors"/>.
    /// </summary>
    /// <returns>The number of records in <paramref name="batch"/>, a record of length 0 without descriptors being the end of stream;
    /// -1 when the socket's receive timeout (<c>SO_RCVTIMEO</c>) ran out first.</returns>
    /// <exception cref="SyscallException">recvmmsg failed, a record did not fit (MSG_TRUNC), or the kernel
    /// dropped descriptors for lack of control buffer room (MSG_CTRUNC); the batch's descriptors are closed then.</exception>
    public static int Receive(SafeHandle channel, RecordBatch batch)
    {
        var added = false;
        try
        {
            channel.DangerousAddRef(ref added);
            var fd = (int)channel.DangerousGetHandle();
            batch.Reset();
            int count;
            int errno;
            do
            {
                count = SysRecvmmsg(fd, batch.Headers, batch.Capacity, MsgCmsgCloexec | MsgWaitForOne, null);
                errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (count < 0 && errno == Eintr);
            if (count < 0 && errno == Eagain) return -1;
            if (count < 0) throw new SyscallException("recvmmsg", errno);
            batch.Count = count;
            for (var i = 0; i < count; i++)
            {
                var flags = batch.Headers[i].Header.Flags;
                if ((flags & (MsgCtrunc | MsgTrunc)) == 0) continue;

                // As for recvmsg: lost descriptors or a cut payload are protocol failures; close what came.
                batch.CloseDescriptors();
                throw (flags & MsgCtrunc) != 0
                    ? new SyscallException("recvmmsg", 0, "MSG_CTRUNC: descriptors were dropped for lack of control buffer room")
                    : new SyscallException("recvmmsg", 0, $"MSG_TRUNC: a record was longer than {batch.RecordBytes} bytes");
            }

            return count;
        }
        finally
        {
            if (added) channel.DangerousRelease();
        }
    }

    internal static void CollectDescriptors(Msghdr* message, List<SocketDescriptor> descriptors)
    {
        var control = (byte*)message->Control;
        var end = control + (long)message->ControlLength;
        var at = control;
        while (at + CmsgHeaderBytes <= end)
        {
            var header = (Cmsghdr*)at;
            var length = (long)header->Length;
            if (length < CmsgHeaderBytes || at + length > end) break;
            if (header->Level == SolSocket && header->Type == ScmRights)
            {
                var count = (int)((length - CmsgHeaderBytes) / sizeof(int));
                var fds = (int*)(at + CmsgHeaderBytes);
                for (var i = 0; i < count; i++) descriptors.Add(new SocketDescriptor(fds[i]));
            }

            at += CmsgAlign((int)length);
        }
    }

    private static int CmsgAlign(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    private static int CmsgSpace(int dataBytes) => CmsgAlign(sizeof(Cmsghdr)) + CmsgAlign(dataBytes);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SysSendmsg(int fd, Msghdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint SysRecvmsg(int fd, Msghdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int SysRecvmmsg(int fd, Mmsghdr* messages, int count, int flags, void* timeout);

    /// <summary>struct iovec (readv(2)).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Iovec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (recvmsg(2)) on glibc 64-bit: msg_namelen is followed by 4 bytes of padding; the lengths are size_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Msghdr
    {
        public void* Name;
        public uint NameLength;
        public Iovec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr (recvmmsg(2)): a msghdr and the length received into it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Mmsghdr
    {
        public Msghdr Header;
        public uint Length;
    }

    /// <summary>struct cmsghdr (cmsg(3)) on glibc 64-bit: cmsg_len is size_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Cmsghdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }
}
