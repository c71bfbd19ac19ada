using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>Accepting clients and handing them to dispatchers.</summary>
public sealed partial class SdListener
{
    private readonly object _gate = new();
    private readonly List<DispatcherLink> _links = [];
    private readonly Queue<HandedConnection> _waiting = new();
    private TaskCompletionSource _linkReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _acceptWaiting;
    private int _next;
    private long _nextId;

    /// <summary>
    /// Starts the accept loop of one listening socket on a dedicated thread that blocks in accept4(2):
    /// about 8 us per connection, against 21-26 us for <see cref="Socket.AcceptAsync(CancellationToken)"/>
    /// and its Socket per connection, whose allocations also grow the listener's RSS (handoff-notes.md
    /// section 1). Disposing the listening socket wakes the thread (EINVAL), which ends the loop.
    /// </summary>
    private Task StartAcceptLoop(SdEndpoint endpoint, Socket listening)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                AcceptLoop(endpoint, listening);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "sd-accept",
        };
        thread.Start();
        return done.Task;
    }

    private void AcceptLoop(SdEndpoint endpoint, Socket listening)
    {
        var token = _stopping.Token;
        var endpointText = endpoint.ToString();

        // Bound to one address (not a wildcard, or AF_UNIX): every accepted socket has the listening
        // socket's local address, so no getsockname per connection.
        var bound = listening.LocalEndPoint;
        var wildcard = bound is IPEndPoint ip && (ip.Address.Equals(IPAddress.Any) || ip.Address.Equals(IPAddress.IPv6Any));
        var fixedLocal = wildcard ? null : bound?.ToString() ?? endpointText;
        var address = new byte[NativeSockets.SocketAddressBytes];
        try
        {
            while (!token.IsCancellationRequested)
            {
                // Backpressure: accept only when a dispatcher can take the connection; until then
                // clients wait in the kernel's backlog instead of being accepted and dropped.
                var wait = WaitForDispatcherAsync(token);
                if (!wait.IsCompleted) wait.GetAwaiter().GetResult();
                SocketDescriptor descriptor;
                int addressLength;
                try
                {
                    descriptor = NativeSockets.Accept(listening.SafeHandle, address, out addressLength);
                }
                catch (SyscallException ex) when (!token.IsCancellationRequested)
                {
                    // A per-connection failure (ECONNABORTED, EMFILE...): log it and go on.
                    ListenerLog.AcceptFailed(_logger, endpointText, ex.Message);
                    continue;
                }
                catch (SyscallException)
                {
                    // Woken by the listening socket's close: the listener is stopping.
                    return;
                }

                Interlocked.Increment(ref _accepted);
                var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
                var family = NativeSockets.FamilyOf(address.AsSpan(0, addressLength));
                string peer;
                if (endpoint.IsUnix)
                {
                    family = AddressFamily.Unix;
                    var credentials = NativeSockets.GetPeerCredentials(descriptor);
                    peer = string.Create(CultureInfo.InvariantCulture, $"pid={credentials.ProcessId},uid={credentials.UserId}");
                }
                else
                {
                    peer = NativeSockets.ToIPEndPoint(address.AsSpan(0, addressLength))?.ToString() ?? "unknown";
                }

                var local = fixedLocal ?? NativeSockets.GetLocalEndPoint(descriptor) ?? endpointText;
                Hand(new HandedConnection(id, descriptor, family, endpoint, peer, local));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The listener is stopping.
        }
        catch (Exception ex)
        {
            ListenerLog.AcceptLoopFailed(_logger, ex, endpointText);
            throw;
        }
    }

    private Task WaitForDispatcherAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (CanAccept()) return Task.CompletedTask;
            _acceptWaiting = true;
            return _linkReady.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>New connections are accepted only when a dispatcher can take one and none is waiting already; called under the lock.</summary>
    private bool CanAccept() => _waiting.Count == 0 && AnyLinkCanTake();

    /// <summary>Whether a dispatcher can take a connection now; a loop, not LINQ: it runs for every accepted connection. Called under the lock.</summary>
    private bool AnyLinkCanTake()
    {
        foreach (var link in _links)
        {
            if (link.CanTake) return true;
        }

        return false;
    }

    /// <summary>Hands a connection to the next dispatcher that can take it; holds it when there is none.</summary>
    private void Hand(HandedConnection connection)
    {
        while (true)
        {
            DispatcherLink? link;
            lock (_gate)
            {
                link = NextLink();
                if (link is null)
                {
                    if (_stopping.IsCancellationRequested) break;
                    connection.Link = null;
                    connection.WaitingSince = DateTimeOffset.UtcNow;
                    _waiting.Enqueue(connection);
                    return;
                }

                link.Pending[connection.Id] = connection;
                link.Handed++;
                connection.Link = link;
                connection.SendsInFlight++;
                connection.Handoffs++;
            }

            var record = HandoffProtocol.ConnectionRecord(
                connection.Id, connection.Endpoint.ToString(), FamilyName(connection.Family), connection.Local, connection.Peer, connection.Endpoint.Kind == SdEndpointKind.Tls);
            try
            {
                link.Channel.Send(record, connection.Descriptor);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                bool ours;
                lock (_gate)
                {
                    connection.SendsInFlight--;

                    // When Drop took the connection first, Drop hands it again: never twice.
                    ours = link.Pending.Remove(connection.Id);
                    if (ours) connection.Link = null;
                }

                Drop(link, ex.Message);
                if (ours) continue;
                ReleaseIfAsked(connection);
                return;
            }

            ReleaseIfAsked(connection, sent: true);
            if (connection.Handoffs == 1) Interlocked.Increment(ref _handed);
            else Interlocked.Increment(ref _rehanded);
            ListenerLog.Handed(_logger, connection.Id, connection.Peer, link.Pid);
            _handoffs.Writer.TryWrite(new SdHandoff(connection.Id, connection.Endpoint, connection.Peer, link.Pid, connection.Handoffs, DateTimeOffset.UtcNow));
            return;
        }

        Interlocked.Increment(ref _dropped);
        Release(connection);
    }

    /// <summary>After a send: releases the connection when a release was asked for meanwhile and no other send holds it.</summary>
    private void ReleaseIfAsked(HandedConnection connection, bool sent = false)
    {
        bool release;
        lock (_gate)
        {
            if (sent) connection.SendsInFlight--;
            release = connection.ReleaseWhenSent && connection.SendsInFlight == 0;
        }

        if (release) connection.Release();
    }

    /// <summary>Closes the listener's copy now, or once the sends in flight have returned.</summary>
    private void Release(HandedConnection connection)
    {
        lock (_gate)
        {
            connection.Link = null;
            if (connection.SendsInFlight > 0)
            {
                connection.ReleaseWhenSent = true;
                return;
            }
        }

        connection.Release();
    }

    /// <summary>The socket family as socket(2) names it, without the <c>AF_</c>: <c>inet</c>, <c>inet6</c> or <c>unix</c>.</summary>
    private static string FamilyName(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => "inet",
        AddressFamily.InterNetworkV6 => "inet6",
        AddressFamily.Unix => "unix",
        _ => family.ToString().ToLowerInvariant(),
    };

    /// <summary>Picks a dispatcher by <see cref="ListenerOptions.Balance"/>; called under the lock.</summary>
    private DispatcherLink? NextLink()
    {
        DispatcherLink? best = null;
        var bestAt = 0;
        for (var i = 0; i < _links.Count; i++)
        {
            var at = (_next + i) % _links.Count;
            var link = _links[at];
            if (!link.CanTake) continue;
            if (best is null || (_options.Balance == SdBalance.LeastLoaded && link.Load < best.Load))
            {
                best = link;
                bestAt = at;
            }

            if (_options.Balance == SdBalance.RoundRobin) break;
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

        ThreadPool.UnsafeQueueUserWorkItem(static listener => listener.HandWaiting(), this, preferLocal: false);
    }

    /// <summary>Wakes the accept loops waiting for a dispatcher; called under the lock.</summary>
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
