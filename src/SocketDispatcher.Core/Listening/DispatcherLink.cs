using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>
/// The listener's side of one connected dispatcher: its channel, the connections it has not confirmed,
/// those it has open, and the state of the <c>ALIVE</c> watchdog. Mutable state is guarded by the listener's lock.
/// </summary>
internal sealed class DispatcherLink(HandoffChannel channel, PeerCredentials credentials) : IDisposable
{
    public HandoffChannel Channel { get; } = channel;

    /// <summary>The dispatcher's pid, from SO_PEERCRED (the process that connected).</summary>
    public int Pid { get; } = credentials.ProcessId;

    /// <summary>Open connections it takes, from <c>HELLO capacity=..</c>.</summary>
    public int Capacity { get; set; } = int.MaxValue;

    /// <summary>Set once HELLO came and CONFIG was sent; only ready links get connections.</summary>
    public bool Ready { get; set; }

    /// <summary>Set once EXIT was sent.</summary>
    public bool Exiting { get; set; }

    public DateTimeOffset JoinedAt { get; } = DateTimeOffset.UtcNow;

    public long Handed { get; set; }

    /// <summary>Handed but not confirmed by ACCEPTED.</summary>
    public Dictionary<string, HandedConnection> Pending { get; } = new(StringComparer.Ordinal);

    /// <summary>ACCEPTED and not yet CLOSED.</summary>
    public Dictionary<string, HandedConnection> Open { get; } = new(StringComparer.Ordinal);

    /// <summary>What counts against <see cref="Capacity"/>: pending and open connections.</summary>
    public int Load => Pending.Count + Open.Count;

    public bool CanTake => Ready && Load < Capacity;

    /// <summary>When the oldest unanswered ALIVE was sent; null when every ALIVE was answered.</summary>
    public DateTimeOffset? AliveUnansweredSince { get; set; }

    /// <summary>When the dispatcher last proved alive (HELLO or ABSOLUTELY).</summary>
    public DateTimeOffset LastAnswer { get; set; } = DateTimeOffset.UtcNow;

    public long AliveSerial { get; set; }

    public void Dispose() => Channel.Dispose();
}
