using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>A failed system call, with its name and errno (errno(3)).</summary>
internal sealed class SyscallException : IOException
{
    public SyscallException(string syscall, int errno, string? detail = null)
        : base($"{syscall} failed: {detail ?? Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Syscall = syscall;
        Errno = errno;
    }

    /// <summary>The system call, such as <c>sendmsg</c>.</summary>
    public string Syscall { get; }

    /// <summary>The errno value (0 for a failure the kernel reported through flags).</summary>
    public int Errno { get; }
}
