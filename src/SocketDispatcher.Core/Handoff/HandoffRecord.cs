using System.Net.Sockets;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Handoff;

/// <summary>
/// One record read from the handoff channel: a message (or why it is not one) and the socket it carried.
/// The socket is a <see cref="SocketDescriptor"/>, closed with a plain close(2) if nobody takes it: the
/// listener holds a copy of the same socket, and an abortive close here (a <see cref="SafeSocketHandle"/>
/// released without its Socket sets SO_LINGER{1,0}) would turn its last close into a RST (docs/handoff-protocol.md, pitfall 1).
/// </summary>
internal sealed class HandoffRecord : IDisposable
{
    /// <summary>A record as read: its text, the message parsed from it or the parse error, and the socket it carried.</summary>
    public HandoffRecord(string text, SdMessage? message, SdMessageFormatException? error, SocketDescriptor? descriptor)
    {
        Text = text;
        Message = message;
        Error = error;
        Descriptor = descriptor;
    }

    /// <summary>The record's text as received (empty when it was not valid UTF-8).</summary>
    public string Text { get; }

    /// <summary>The parsed message; null when the text is not one (see <see cref="Error"/>).</summary>
    public SdMessage? Message { get; }

    /// <summary>Why the text is not a message; null when it is.</summary>
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

    /// <summary>Closes the descriptor unless it was taken; a plain close(2), never an abortive one.</summary>
    public void Dispose() => Descriptor?.Dispose();
}
