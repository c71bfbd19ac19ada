using System.Net.Sockets;

namespace SocketDispatcher.Handoff;

/// <summary>One record read from the handoff channel: a message (or why it is not one) and the socket it carried.</summary>
internal sealed class HandoffRecord : IDisposable
{
    public HandoffRecord(string text, SdMessage? message, MessageFormatException? error, SafeSocketHandle? descriptor)
    {
        Text = text;
        Message = message;
        Error = error;
        Descriptor = descriptor;
    }

    public string Text { get; }

    public SdMessage? Message { get; }

    public MessageFormatException? Error { get; }

    /// <summary>The descriptor that came with the record (SCM_RIGHTS), owned by the record until taken.</summary>
    public SafeSocketHandle? Descriptor { get; private set; }

    /// <summary>Takes ownership of the descriptor; the record no longer closes it.</summary>
    public SafeSocketHandle? TakeDescriptor()
    {
        var descriptor = Descriptor;
        Descriptor = null;
        return descriptor;
    }

    public void Dispose() => Descriptor?.Dispose();
}
