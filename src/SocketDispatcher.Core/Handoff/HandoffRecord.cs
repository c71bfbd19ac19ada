using System.Net.Sockets;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Handoff;

/// <summary>
/// One record read from the handoff channel: a message (or why it is not one) and the socket it carried.
/// The socket is a <see cref="SocketDescriptor"/>, closed with a plain close(2) if nobody takes it: the
/// listener holds a copy of the same socket, and an abortive close here (a <see cref="SafeSocketHandle"/>
/// released without its Socket sets SO_LINGER{1,0}) would turn its last close into a RST (handoff-notes.md pitfall 1).
/// </summary>
internal sealed class HandoffRecord : IDisposable
{
    public HandoffRecord(string text, SdMessage? message, SdMessageFormatException? error, SocketDescriptor? descriptor)
    {
        Text = text;
        Message = message;
        Error = error;
        Descriptor = descriptor;
    }

    public string Text { get; }

    public SdMessage? Message { get; }

    public SdMessageFormatException? Error { get; }

    /// <summary>The descriptor that came with the record (SCM_RIGHTS), owned by the record until taken.</summary>
    public SocketDescriptor? Descriptor { get; private set; }

    /// <summary>Takes ownership of the descriptor; the record no longer closes it.</summary>
    public SocketDescriptor? TakeDescriptor()
    {
        var descriptor = Descriptor;
        Descriptor = null;
        return descriptor;
    }

    /// <summary>Takes the descriptor as the handle a .NET <see cref="Socket"/> is built on; the Socket then owns it.</summary>
    public SafeSocketHandle? TakeSocketHandle() => TakeDescriptor() is { } descriptor ? ToSocketHandle(descriptor) : null;

    /// <summary>Moves the ownership of <paramref name="descriptor"/> to a <see cref="SafeSocketHandle"/>, for a Socket that will own (and close) it.</summary>
    public static SafeSocketHandle ToSocketHandle(SocketDescriptor descriptor)
    {
        var fd = descriptor.DangerousGetHandle();
        descriptor.SetHandleAsInvalid();
        return new SafeSocketHandle(fd, ownsHandle: true);
    }

    public void Dispose() => Descriptor?.Dispose();
}
