using System.Collections.Concurrent;

namespace SocketDispatcher.Tests.Handlers;

/// <summary>A conversation that keeps what the router sends, to test routing without a socket.</summary>
internal sealed class RecordingSession : ISdSession
{
    public ConcurrentQueue<SdMessage> Sent { get; } = new();

    public string Id => "t1";

    public string? Peer => "127.0.0.1:40000";

    public bool IsLocalPeer => true;

    public string? CloseReason { get; private set; }

    public string? StopReason { get; private set; }

    public ValueTask SendAsync(SdMessage message, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(message);
        return ValueTask.CompletedTask;
    }

    public void Close(string reason) => CloseReason ??= reason;

    public void RequestServiceStop(string reason) => StopReason ??= reason;

    public string[] SentLines() => Sent.Select(m => m.ToString()).ToArray();
}
