using System.Net.Sockets;

namespace SocketDispatcher;

/// <summary>
/// An end of a socket pair kept for a child process (<see cref="SdSocketPair.CreateForChild"/>): a
/// descriptor without FD_CLOEXEC, inherited by every process started while it is open. Disposing
/// closes this process's copy; the child keeps its own.
/// </summary>
public sealed class SdInheritableSocket : IDisposable
{
    private readonly SafeSocketHandle _handle;

    internal SdInheritableSocket(SafeSocketHandle handle, SdSocketType type)
    {
        _handle = handle;
        Type = type;
        Descriptor = (int)handle.DangerousGetHandle();
    }

    /// <summary>The descriptor number the child inherits.</summary>
    public int Descriptor { get; }

    /// <summary>The socket type of the pair.</summary>
    public SdSocketType Type { get; }

    /// <summary>Closes this process's copy.</summary>
    public void Dispose() => _handle.Dispose();
}
