using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// Decides where each accepted connection goes: the connected dispatchers (<see cref="DispatcherLink"/>),
/// the connections waiting for one, the choice of the next dispatcher (<see cref="SdListenerOptions.Balance"/>),
/// backpressure (the accept loops accept only when a dispatcher can take a connection), handing,
/// releasing, and handing again the connections of a dispatcher that left.
/// </summary>
/// <remarks>
/// One lock, <c>_gate</c>, guards the list of links, the waiting queue, the round-robin position, the
/// accept loops' wake-up, and, inside each link and connection, the state that says who has what
/// (<see cref="DispatcherLink.State"/>, its pending and open connections; a connection's sends in
/// flight). No send happens under it: a send may block while a dispatcher's queue is full.
/// Whoever runs on a channel's reading thread must not send to another dispatcher either (see
/// <see cref="HandWaitingLater"/>).
/// </remarks>
internal sealed class HandoffScheduler(SdListenerOptions options, ILogger logger, HandoffCounters counters, CancellationToken stopping)
{
    private readonly Lock _gate = new();
    private readonly List<DispatcherLink> _links = [];
    private readonly Queue<HandedConnection> _waiting = new();
    private readonly TaskCompletionSource _linksGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _linkReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _acceptWaiting;
    private int _next;

    /// <summary>Completes once no dispatcher is connected: the last one left, or none was there when the listener began to stop.</summary>
    public Task LinksGone => _linksGone.Task;

    /// <summary>The connected dispatchers now.</summary>
    public DispatcherLink[] Links()
    {
        lock (_gate) return [.. _links];
    }

    /// <summary>A dispatcher connected: it gets connections once <see cref="MarkReady"/> says so.</summary>
    public void Add(DispatcherLink link)
    {
        lock (_gate) _links.Add(link);
    }

    /// <summary>What each connected dispatcher has now, read together.</summary>
    public LinkSnapshot[] Describe()
    {
        lock (_gate)
        {
            var result = new LinkSnapshot[_links.Count];
            for (var i = 0; i < result.Length; i++)
            {
                var link = _links[i];
                result[i] = new LinkSnapshot(link.ProcessId, link.State, link.JoinedAt, link.Handed, link.OpenCount, link.PendingCount);
            }

            return result;
        }
    }

    /// <summary>
    /// Completes when an accept loop may accept: a dispatcher can take a connection and none waits.
    /// Completed already in the usual case, without an allocation (it runs for every connection).
    /// </summary>
    public Task WaitForDispatcherAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (CanAccept()) return Task.CompletedTask;
            _acceptWaiting = true;
            return _linkReady.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Hands a connection to the next dispatcher that can take it; holds it when there is none.</summary>
    public void Hand(HandedConnection connection)
    {
        while (true)
        {
            DispatcherLink? link;
            lock (_gate)
            {
                link = NextLink();
                if (link is null)
                {
                    if (stopping.IsCancellationRequested) break;
                    connection.Wait(DateTimeOffset.UtcNow);
                    _waiting.Enqueue(connection);
                    return;
                }

                link.Assign(connection);
                connection.BeginSend();
            }

            try
            {
                link.SendConnection(connection);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                bool ours;
                bool close;
                lock (_gate)
                {
                    close = connection.EndSend();

                    // When Drop took the connection first, Drop hands it again: never twice.
                    ours = link.Unassign(connection);
                }

                Drop(link, ex.Message);
                if (ours) continue;
                if (close) connection.Close();
                return;
            }

            bool release;
            lock (_gate) release = connection.EndSend();
            if (release) connection.Close();
            counters.CountHanded(connection, link.ProcessId);
            ListenerLog.Handed(logger, connection.Id.Text, connection.Peer, link.ProcessId);
            return;
        }

        counters.CountDropped();
        Release(connection);
    }

    /// <summary>HELLO came (with the capacity it said, if any) and CONFIG was sent: the dispatcher takes connections now (not once the listener stops).</summary>
    public void MarkReady(DispatcherLink link, int? capacity)
    {
        link.Answered(DateTimeOffset.UtcNow);
        lock (_gate)
        {
            if (capacity is { } said) link.SetCapacity(said);
            if (stopping.IsCancellationRequested) return;
            link.MarkReady();
        }

        HandWaitingLater();
    }

    /// <summary>ACCEPTED: the dispatcher has its own copies of these connections now.</summary>
    public void Confirm(DispatcherLink link, IReadOnlyList<ConnectionId> ids)
    {
        lock (_gate) link.Confirm(ids);
    }

    /// <summary>CLOSED: releases these connections; on a channel's reading thread, so handing waiting ones goes to the pool.</summary>
    public void Closed(DispatcherLink link, IReadOnlyList<ConnectionId> ids)
    {
        var any = false;
        foreach (var id in ids)
        {
            HandedConnection? closed;
            lock (_gate) closed = link.Close(id);
            if (closed is null) continue;
            Release(closed);
            any = true;
        }

        if (any) HandWaitingLater();
    }

    /// <summary>
    /// Removes a dispatcher. Every connection it had not touched yet (no byte read or written, checked
    /// with TCP_INFO: it died before or right after taking it) is handed again, whether or not it was
    /// confirmed; the others had their conversation cut and are closed. An AF_UNIX connection cannot be
    /// checked: it is handed again when unconfirmed (a dispatcher confirms those before any I/O), closed
    /// otherwise. Safe to call more than once: only the first call does something.
    /// </summary>
    public void Drop(DispatcherLink link, string reason)
    {
        HandedConnection[] pending;
        HandedConnection[] open;
        lock (_gate)
        {
            if (!_links.Remove(link)) return;
            (pending, open) = link.TakeAll();
        }

        link.Dispose();
        var orphans = pending.Where(c => c.Family == AddressFamily.Unix || NativeSockets.IsUntouched(c.Descriptor))
            .Concat(open.Where(c => c.Family != AddressFamily.Unix && NativeSockets.IsUntouched(c.Descriptor)))
            .ToArray();
        var cut = pending.Concat(open).Except(orphans).ToArray();
        if (!stopping.IsCancellationRequested || orphans.Length > 0 || cut.Length > 0) ListenerLog.DispatcherLeft(logger, link.ProcessId, reason, orphans.Length, cut.Length);
        foreach (var connection in cut) Release(connection);
        foreach (var connection in orphans) Hand(connection);
        HandWaiting();
        lock (_gate)
        {
            if (_links.Count == 0) _linksGone.TrySetResult();
        }
    }

    /// <summary>Closes the connections that waited <see cref="SdListenerOptions.HandoffTimeout"/> or longer for a dispatcher.</summary>
    public void ExpireWaiting(DateTimeOffset now)
    {
        var expired = new List<HandedConnection>();
        lock (_gate)
        {
            while (_waiting.Count > 0 && now - _waiting.Peek().WaitingSince >= options.HandoffTimeout) expired.Add(_waiting.Dequeue());
        }

        foreach (var connection in expired)
        {
            ListenerLog.HandoffTimedOut(logger, connection.Id.Text, connection.Peer, (long)(now - connection.WaitingSince).TotalMilliseconds);
            counters.CountDropped();
            Release(connection);
        }

        if (expired.Count > 0) HandWaiting();
    }

    /// <summary>The listener stops: no dispatcher takes a connection any more. Returns those that get EXIT.</summary>
    public DispatcherLink[] BeginExit()
    {
        lock (_gate)
        {
            // Not ready any more: a connection handed now would never be ACCEPTED.
            foreach (var link in _links) link.BeginExit();
            if (_links.Count == 0) _linksGone.TrySetResult();
            return [.. _links];
        }
    }

    /// <summary>The listener has stopped: closes the connections still waiting for a dispatcher.</summary>
    public void DropWaiting()
    {
        HandedConnection[] stranded;
        lock (_gate)
        {
            stranded = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var connection in stranded)
        {
            counters.CountDropped();
            Release(connection);
        }
    }

    /// <summary>Closes the listener's copy now, or once the sends in flight have returned.</summary>
    private void Release(HandedConnection connection)
    {
        bool close;
        lock (_gate) close = connection.AskRelease();
        if (close) connection.Close();
    }

    /// <summary>New connections are accepted only when a dispatcher can take one and none is waiting already; under the lock.</summary>
    private bool CanAccept() => _waiting.Count == 0 && AnyLinkCanTake();

    /// <summary>Whether a dispatcher can take a connection now; a loop, not LINQ: it runs for every accepted connection. Under the lock.</summary>
    private bool AnyLinkCanTake()
    {
        foreach (var link in _links)
        {
            if (link.CanTake) return true;
        }

        return false;
    }

    /// <summary>Picks a dispatcher by <see cref="SdListenerOptions.Balance"/>; under the lock.</summary>
    private DispatcherLink? NextLink()
    {
        DispatcherLink? best = null;
        var bestAt = 0;
        for (var i = 0; i < _links.Count; i++)
        {
            var at = (_next + i) % _links.Count;
            var link = _links[at];
            if (!link.CanTake) continue;
            if (best is null || (options.Balance == SdBalance.LeastLoaded && link.Load < best.Load))
            {
                best = link;
                bestAt = at;
            }

            if (options.Balance == SdBalance.RoundRobin) break;
        }

        if (best is not null) _next = (bestAt + 1) % _links.Count;
        return best;
    }

    /// <summary>Hands the connections that wait for a dispatcher, oldest first, then wakes the accept loops if they may go on.</summary>
    private void HandWaiting()
    {
        while (true)
        {
            HandedConnection? next = null;
            lock (_gate)
            {
                if (_waiting.Count > 0 && AnyLinkCanTake()) next = _waiting.Dequeue();
                else if (CanAccept()) SignalReady();
            }

            if (next is null) return;
            Hand(next);
        }
    }

    /// <summary>
    /// <see cref="HandWaiting"/> for a channel's reading thread, which must never block in a send:
    /// a dispatcher's reading thread sends ACCEPTED, so if both reading threads waited for each other
    /// with full queues, neither would read again. Handing waiting connections sends, so it goes to the
    /// thread pool; the usual case (nothing waits) only wakes the accept loops.
    /// </summary>
    private void HandWaitingLater()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                if (CanAccept()) SignalReady();
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static scheduler => scheduler.HandWaiting(), this, preferLocal: false);
    }

    /// <summary>Wakes the accept loops waiting for a dispatcher; under the lock.</summary>
    private void SignalReady()
    {
        // Only when an accept loop waits: CLOSED comes for every connection, and a new
        // TaskCompletionSource each time would be an allocation per connection for nothing.
        if (!_acceptWaiting) return;
        _acceptWaiting = false;
        _linkReady.TrySetResult();
        _linkReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
