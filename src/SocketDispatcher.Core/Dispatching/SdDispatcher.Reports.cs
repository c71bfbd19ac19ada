using System.Diagnostics;
using System.Net.Sockets;
using SocketDispatcher.Handoff;

namespace SocketDispatcher;

/// <summary>How a dispatcher confirms its connections and reports their end: few records for many connections.</summary>
public sealed partial class SdDispatcher
{
    /// <summary>
    /// How long the reports of a batch (<c>ACCEPTED</c> of TCP connections, <c>CLOSED</c> of conversations
    /// that ended within it) may wait to go out with later ones: every record wakes the listener, on the
    /// cores the clients need. Like TCP's delayed ACK, one record then reports many connections.
    /// </summary>
    private static readonly TimeSpan ReportDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>The most connections held for one report: they go out at once when there are this many (a record of about 500 bytes).</summary>
    private const int MaxHeldReports = 64;

    // Used by the channel's reading thread only: the CONNECTION records of a batch as read (by index; null
    // for another record, or a bad one), the connections confirmed before and after it is handled, and
    // the reports not sent yet (due at _reportDue, a Stopwatch timestamp).
    private readonly ConnectionRecord?[] _connections = new ConnectionRecord?[HandoffChannel.MaxRecordsPerReceive];
    private readonly List<ConnectionId> _confirmFirst = [];
    private readonly List<ConnectionId> _confirmAfter = [];
    private readonly List<ConnectionId> _acceptedLater = [];
    private readonly List<ConnectionId> _closedLater = [];
    private long _reportDue;
    private int _batchThread;

    /// <summary>
    /// Handles the records that arrived together, on the channel's reading thread, in order, and
    /// answers them with a few records for many connections instead of two per connection (each one wakes the listener):
    /// <list type="bullet">
    /// <item>before any I/O, one <c>ACCEPTED</c> for the AF_UNIX connections among them: the listener cannot
    /// tell whether one was touched, so it hands an unconfirmed one again when this process dies;</item>
    /// <item>after the batch, up to <see cref="ReportDelay"/> later and with the reports of other batches, one
    /// <c>ACCEPTED</c> for the TCP connections still open and one <c>CLOSED</c> for the conversations that
    /// ended meanwhile (a greeting). Confirming a TCP connection after its first write keeps the listener's
    /// wake-up out of the time to first byte; should this process die before confirming, the listener
    /// hands the connection again only if <c>TCP_INFO</c> shows nobody touched it.</item>
    /// </list>
    /// Handling here saves the thread-pool hop per record, which with several .NET processes on few
    /// cores costs more than the record (docs/handoff-protocol.md, pitfall 11). Nothing here waits for the listener.
    /// A CONNECTION record that cannot be read is logged and its socket closed: without an id it can be
    /// neither confirmed nor reported (docs/handoff-protocol.md, "Bad records").
    /// </summary>
    private void OnRecords(IReadOnlyList<HandoffRecord> records)
    {
        Debug.Assert(records.Count <= _connections.Length, "a batch is one receive");
        _confirmFirst.Clear();
        _confirmAfter.Clear();
        for (var i = 0; i < records.Count; i++)
        {
            _connections[i] = null;
            if (records[i].Message is not { Command: ConnectionRecord.Command } message) continue;
            if (!ConnectionRecord.TryRead(message, out var connection, out var error))
            {
                BadRecord(error);
                continue;
            }

            _connections[i] = connection;
            if (records[i].Descriptor is null) continue; // logged by Take
            (connection.Family == AddressFamily.Unix ? _confirmFirst : _confirmAfter).Add(connection.Id);
        }

        try
        {
            if (_confirmFirst.Count > 0) _channel.Send(new AcceptedRecord(_confirmFirst).Write());
            Volatile.Write(ref _batchThread, Environment.CurrentManagedThreadId);
            for (var i = 0; i < records.Count; i++) OnRecord(records[i], _connections[i]);
        }
        finally
        {
            Volatile.Write(ref _batchThread, 0);

            // Records not handled (the listener went away during ACCEPTED) still close their sockets.
            foreach (var record in records) record.Dispose();
            Array.Clear(_connections);
        }

        // CLOSED says ACCEPTED too: only the connections still open need confirming.
        foreach (var id in _confirmAfter)
        {
            if (!_closedLater.Contains(id)) _acceptedLater.Add(id);
        }

        if (_acceptedLater.Count + _closedLater.Count >= MaxHeldReports) SendReports();
        else if (_acceptedLater.Count + _closedLater.Count > 0 && _reportDue == 0) _reportDue = Stopwatch.GetTimestamp() + (long)(ReportDelay.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Before the reading thread waits: sends the reports that are due; returns how long the others may wait, in ms (-1: none).</summary>
    private int SendDueReports()
    {
        if (_reportDue == 0) return -1;
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _reportDue);
        if (left > TimeSpan.Zero) return Math.Max(1, (int)Math.Ceiling(left.TotalMilliseconds));
        SendReports();
        return -1;
    }

    private void SendReports()
    {
        _reportDue = 0;
        if (_acceptedLater.Count > 0) _channel.Send(new AcceptedRecord(_acceptedLater).Write());
        _acceptedLater.Clear();
        if (_closedLater.Count > 0) SendClosed(_closedLater);
        _closedLater.Clear();
    }

    /// <summary>A conversation ended: the listener counts it against our capacity and closes its copy of the socket.</summary>
    private void Closed(ConnectionId id)
    {
        _sessions.TryRemove(id, out _);
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _batchThread))
        {
            // Ended while its batch is handled (a greeting): reported with others (ReportDelay).
            _closedLater.Add(id);
            return;
        }

        SendClosed([id]);
    }

    private void SendClosed(IReadOnlyList<ConnectionId> ids)
    {
        try
        {
            _channel.Send(new ClosedRecord(ids).Write());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The listener is gone, or we are stopping: nobody counts any more.
        }
    }
}
