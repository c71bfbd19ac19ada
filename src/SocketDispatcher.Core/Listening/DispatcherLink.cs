using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>The listener's side of one connected dispatcher: its channel and the connections it has not confirmed.</summary>
internal sealed class DispatcherLink(HandoffChannel channel, PeerCredentials credentials) : IDisposable
{
    public HandoffChannel Channel { get; } = channel;

    /// <summary>The dispatcher's pid, from SO_PEERCRED (the process that connected).</summary>
    public int Pid { get; } = credentials.ProcessId;

    public int Capacity { get; set; } = int.MaxValue;

    /// <summary>Set once HELLO came and CONFIG was sent; only ready links get connections.</summary>
    public bool Ready { get; set; }

    public DateTimeOffset JoinedAt { get; } = DateTimeOffset.UtcNow;

    public long Handed { get; set; }

    /// <summary>Handed but not confirmed by ACCEPTED; guarded by the listener's lock.</summary>
    public Dictionary<string, HandedConnection> Pending { get; } = new(StringComparer.Ordinal);

    public void Dispose() => Channel.Dispose();
}
