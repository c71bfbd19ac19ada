namespace SocketDispatcher;

/// <summary>A snapshot of one dispatcher as its listener sees it (<c>STATUS</c>, <c>Get-SdListener</c>).</summary>
public sealed class SdDispatcherInfo
{
    internal SdDispatcherInfo(int processId, SdDispatcherState state, DateTimeOffset? startedAt, int restarts, long handed, int open, int pending, bool spawned)
    {
        ProcessId = processId;
        State = state;
        StartedAt = startedAt;
        Restarts = restarts;
        Handed = handed;
        Open = open;
        Pending = pending;
        Spawned = spawned;
    }

    /// <summary>The dispatcher's process id (<c>pid</c> in <c>STATUS</c>).</summary>
    public int ProcessId { get; }

    /// <summary>Starting (spawned or connected, no HELLO yet), Ready, or Exiting (sent EXIT, draining);
    /// <c>STATUS</c> says <c>starting</c>, <c>ready</c> or <c>exiting</c>.</summary>
    public SdDispatcherState State { get; }

    /// <summary>When its process was started (spawned dispatchers) or joined.</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>How many times its slot was restarted.</summary>
    public int Restarts { get; }

    /// <summary>Connections handed to it.</summary>
    public long Handed { get; }

    /// <summary>Connections it confirmed with <c>ACCEPTED</c> and has not reported <c>CLOSED</c>.</summary>
    public int Open { get; }

    /// <summary>
    /// Connections handed but not yet <c>ACCEPTED</c>: in its queue, or (TCP) with a conversation that
    /// started less than about a millisecond ago, since a dispatcher confirms those together.
    /// </summary>
    public int Pending { get; }

    /// <summary>Whether the listener spawned it (false: started by hand).</summary>
    public bool Spawned { get; }
}
