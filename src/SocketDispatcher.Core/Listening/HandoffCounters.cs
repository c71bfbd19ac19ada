using System.Threading.Channels;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Listening;

/// <summary>
/// A listener's counters (accepted, handed, re-handed, dropped), its connection ids, and the feed of
/// <see cref="SdHandoff"/> events. No lock: each counter is changed with <see cref="Interlocked"/> only,
/// and the feed is a channel that drops its oldest events when nobody reads.
/// </summary>
internal sealed class HandoffCounters
{
    private readonly Channel<SdHandoff> _handoffs = Channel.CreateBounded<SdHandoff>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
    private long _handed;
    private long _rehanded;
    private long _dropped;
    private long _accepted;

    /// <summary>Connections accepted; the last one's id is this number.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public long Handed => Interlocked.Read(ref _handed);

    public long Rehanded => Interlocked.Read(ref _rehanded);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Each handoff as it happens (the newest 4,096 are kept when nobody reads).</summary>
    public ChannelReader<SdHandoff> Handoffs => _handoffs.Reader;

    /// <summary>Counts an accepted connection and gives it its id (1, 2, 3...): what <c>CONNECTION id=..</c> carries.</summary>
    public ConnectionId Accept() => ConnectionId.FromNumber(Interlocked.Increment(ref _accepted));

    /// <summary>Counts a sent <c>CONNECTION</c> (handed the first time, re-handed after) and writes it to the feed.</summary>
    public void CountHanded(HandedConnection connection, int dispatcherPid)
    {
        if (connection.Handoffs == 1) Interlocked.Increment(ref _handed);
        else Interlocked.Increment(ref _rehanded);
        _handoffs.Writer.TryWrite(new SdHandoff(connection.Id.Text, connection.Endpoint, connection.Peer, dispatcherPid, connection.Handoffs, DateTimeOffset.UtcNow));
    }

    /// <summary>Counts a connection closed without a dispatcher.</summary>
    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Ends the feed: the listener has stopped.</summary>
    public void Complete() => _handoffs.Writer.TryComplete();
}
