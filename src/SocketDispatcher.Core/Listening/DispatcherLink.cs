using System.Globalization;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Listening;

/// <summary>
/// The listener's side of one connected dispatcher: its channel, its state, the connections it has not
/// confirmed, those it has open, and the state of the <c>ALIVE</c> watchdog. Every record the listener
/// sends to a dispatcher is written here (<c>CONNECTION</c>, <c>CONFIG</c>, <c>ALIVE</c>, <c>EXIT</c>,
/// <c>LOG</c>); the channel is safe to send on from several threads.
/// </summary>
/// <remarks>
/// Locks: <see cref="State"/>, <see cref="Capacity"/>, <see cref="Handed"/> and the pending and open
/// connections are guarded by the lock of the <see cref="HandoffScheduler"/> that holds the link (the
/// methods that read or change them are called under it; <see cref="State"/> is also read without it,
/// by the watchdog). The <c>ALIVE</c> bookkeeping is guarded by the link's own <c>_alive</c> lock.
/// The two are never held together.
/// </remarks>
internal sealed class DispatcherLink(HandoffChannel channel, PeerCredentials credentials) : IDisposable
{
    private readonly HandoffChannel _channel = channel;
    private readonly Dictionary<ConnectionId, HandedConnection> _pending = [];
    private readonly Dictionary<ConnectionId, HandedConnection> _open = [];
    private readonly Lock _alive = new();
    private volatile SdDispatcherState _state = SdDispatcherState.Starting;
    private DateTimeOffset? _aliveUnansweredSince;
    private DateTimeOffset _lastAnswer = DateTimeOffset.UtcNow;
    private long _aliveSerial;

    /// <summary>What <see cref="CheckAlive"/> found.</summary>
    public enum AliveCheck
    {
        /// <summary>Nothing to do now.</summary>
        None,

        /// <summary>An <c>ALIVE</c> is due, with the serial given.</summary>
        Due,

        /// <summary>No <c>HELLO</c>, or no answer to <c>ALIVE</c>, within the dispatcher timeout.</summary>
        Unresponsive,
    }

    /// <summary>The dispatcher's pid, from SO_PEERCRED (the process that connected).</summary>
    public int ProcessId { get; } = credentials.ProcessId;

    public DateTimeOffset JoinedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Starting until HELLO came and CONFIG was sent, then ready; exiting once EXIT is on its way. Only ready links get connections.</summary>
    public SdDispatcherState State => _state;

    /// <summary>Open connections it takes, from <c>HELLO capacity=..</c>.</summary>
    public int Capacity { get; private set; } = int.MaxValue;

    /// <summary>Connections handed to it.</summary>
    public long Handed { get; private set; }

    /// <summary>Handed but not confirmed by ACCEPTED.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>ACCEPTED and not yet CLOSED.</summary>
    public int OpenCount => _open.Count;

    /// <summary>What counts against <see cref="Capacity"/>: pending and open connections.</summary>
    public int Load => _pending.Count + _open.Count;

    public bool CanTake => _state == SdDispatcherState.Ready && Load < Capacity;

    /// <summary>Starts reading its records on a dedicated thread; <paramref name="handle"/> gets each batch on that thread.</summary>
    public void Start(Action<IReadOnlyList<HandoffRecord>> handle)
        => _channel.Start("sd-handoff-" + ProcessId.ToString(CultureInfo.InvariantCulture), handle);

    /// <summary>Completes when the channel's stream of records has ended; faults with the reason when it broke.</summary>
    public Task Completion => _channel.Completion;

    /// <summary>HELLO said how many open connections it takes. Under the scheduler's lock.</summary>
    public void SetCapacity(int capacity) => Capacity = capacity;

    /// <summary>HELLO came and CONFIG was sent: it takes connections from now on (unless it is exiting). Under the scheduler's lock.</summary>
    public void MarkReady()
    {
        if (_state == SdDispatcherState.Starting) _state = SdDispatcherState.Ready;
    }

    /// <summary>EXIT is on its way: a connection handed now would never be ACCEPTED. Under the scheduler's lock.</summary>
    public void BeginExit() => _state = SdDispatcherState.Exiting;

    /// <summary>It is about to get <paramref name="connection"/>. Under the scheduler's lock.</summary>
    public void Assign(HandedConnection connection)
    {
        _pending[connection.Id] = connection;
        Handed++;
    }

    /// <summary>Takes back a connection whose send failed; false when it was taken already (CLOSED, or the link dropped). Under the scheduler's lock.</summary>
    public bool Unassign(HandedConnection connection) => _pending.Remove(connection.Id);

    /// <summary>ACCEPTED: it has its own copy now; ours stays until CLOSED. Under the scheduler's lock.</summary>
    public void Confirm(IReadOnlyList<ConnectionId> ids)
    {
        foreach (var id in ids)
        {
            if (_pending.Remove(id, out var accepted)) _open[id] = accepted;
        }
    }

    /// <summary>CLOSED: the connection it names, or null when it is not (or no longer) here. Under the scheduler's lock.</summary>
    public HandedConnection? Close(ConnectionId id) => _open.Remove(id, out var closed) || _pending.Remove(id, out closed) ? closed : null;

    /// <summary>Takes every connection it has, for its departure. Under the scheduler's lock.</summary>
    public (HandedConnection[] Pending, HandedConnection[] Open) TakeAll()
    {
        HandedConnection[] pending = [.. _pending.Values];
        HandedConnection[] open = [.. _open.Values];
        _pending.Clear();
        _open.Clear();
        return (pending, open);
    }

    /// <summary>It proved alive (HELLO or ABSOLUTELY): every ALIVE so far is answered.</summary>
    public void Answered(DateTimeOffset now)
    {
        lock (_alive)
        {
            _aliveUnansweredSince = null;
            _lastAnswer = now;
        }
    }

    /// <summary>
    /// The watchdog's look at it: unresponsive when it said no HELLO, or did not answer an ALIVE, within
    /// <paramref name="timeout"/>; an ALIVE is due a third of that after its last answer (and counts as sent).
    /// </summary>
    public AliveCheck CheckAlive(DateTimeOffset now, TimeSpan timeout, out long serial)
    {
        serial = 0;
        var state = _state;
        if (state == SdDispatcherState.Exiting) return AliveCheck.None;
        lock (_alive)
        {
            var silentSince = state == SdDispatcherState.Ready ? _aliveUnansweredSince : JoinedAt;
            if (silentSince is { } since && now - since > timeout) return AliveCheck.Unresponsive;
            if (state != SdDispatcherState.Ready || _aliveUnansweredSince is not null || now - _lastAnswer < timeout / 3) return AliveCheck.None;
            _aliveUnansweredSince = now;
            serial = ++_aliveSerial;
            return AliveCheck.Due;
        }
    }

    /// <summary>Sends <c>CONNECTION</c> with the socket (SCM_RIGHTS); blocks while its queue is full.</summary>
    /// <exception cref="IOException">The dispatcher is gone.</exception>
    /// <exception cref="ObjectDisposedException">The link was dropped.</exception>
    public void SendConnection(HandedConnection connection)
        => _channel.Send(
            new ConnectionRecord(connection.Id, connection.Endpoint.ToString(), connection.Family, connection.Local, connection.Peer, connection.Endpoint.Kind == SdEndpointKind.Tls).Write(),
            connection.Descriptor);

    /// <summary>Sends <c>CONFIG</c>: the line limit and the TLS files (full paths).</summary>
    /// <exception cref="IOException">The dispatcher is gone.</exception>
    public void SendConfig(SdListenerOptions options)
    {
        var tls = options.Tls;
        _channel.Send(new ConfigRecord(
            options.MaxLineBytes,
            tls is null ? null : Path.GetFullPath(tls.CertificatePath),
            tls?.KeyPath is { } key ? Path.GetFullPath(key) : null,
            tls?.ClientCertificateAuthorityPath is { } ca ? Path.GetFullPath(ca) : null).Write());
    }

    /// <summary>Sends <c>ALIVE serial=..</c> unless its queue is full: a dispatcher that stopped reading must never block the watchdog.</summary>
    /// <exception cref="IOException">The dispatcher is gone.</exception>
    public void TrySendAlive(long serial) => _channel.TrySend(new AliveRecord(serial).Write());

    /// <summary>Sends <c>EXIT drain=MS</c>: finish open conversations within <paramref name="drain"/>, then exit.</summary>
    /// <exception cref="IOException">The dispatcher is gone.</exception>
    public void SendExit(TimeSpan drain) => _channel.Send(new ExitRecord(drain).Write());

    /// <summary>Sends <c>LOG</c>: reopen your log file.</summary>
    /// <exception cref="IOException">The dispatcher is gone.</exception>
    public void SendLog() => _channel.Send(new LogRecord().Write());

    public void Dispose() => _channel.Dispose();
}
