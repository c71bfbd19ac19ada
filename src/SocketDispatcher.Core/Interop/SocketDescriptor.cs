using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>
/// An accepted connection's descriptor in the listener, which only passes it on and never does I/O on
/// it. Releasing it is a plain close(2), never abortive: a <see cref="System.Net.Sockets.SafeSocketHandle"/>
/// released without its Socket sets SO_LINGER{1,0} first, which would make the dispatcher's later
/// close a RST (docs/handoff-protocol.md, pitfall 1).
/// </summary>
internal sealed class SocketDescriptor : SafeHandle
{
    public SocketDescriptor(int descriptor)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(descriptor);
    }

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle()
    {
        NativeSockets.Close(handle);
        return true;
    }
}
