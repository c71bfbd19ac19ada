using System.Globalization;
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
    private int _next;
    private long _nextId;

    private async Task AcceptLoopAsync(SdEndpoint endpoint, Socket listening)
    {
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                // Backpressure: accept only when a dispatcher can take the connection; until then
                // clients wait in the kernel's backlog instead of being accepted and dropped.
                await WaitForDispatcherAsync(token).ConfigureAwait(false);
                Socket socket;
                try
                {
                    socket = await listening.AcceptAsync(token).ConfigureAwait(false);
                }
                catch (SocketException ex) when (!token.IsCancellationRequested)
                {
                    // A per-connection failure (ECONNABORTED, EMFILE...): log it and go on.
                    ListenerLog.AcceptFailed(_logger, endpoint.ToString(), ex.Message);
                    continue;
                }

                Interlocked.Increment(ref _accepted);
                var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
                var peer = socket.RemoteEndPoint?.ToString() ?? "unknown";
                if (endpoint.IsUnix && socket.AddressFamily == AddressFamily.Unix)
                {
                    var credentials = NativeSockets.GetPeerCredentials(socket);
                    peer = string.Create(CultureInfo.InvariantCulture, $"pid={credentials.ProcessId},uid={credentials.UserId}");
                }

                Hand(new HandedConnection(id, socket, endpoint, peer, socket.LocalEndPoint?.ToString() ?? endpoint.ToString()));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The listener is stopping.
        }
        catch (Exception ex)
        {
            ListenerLog.AcceptLoopFailed(_logger, ex, endpoint.ToString());
            throw;
        }
    }

    private Task WaitForDispatcherAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _links.Any(l => l.Ready && l.Pending.Count < l.Capacity) ? Task.CompletedTask : _linkReady.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Hands a connection to the next ready dispatcher, round-robin; holds it when there is none.</summary>
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
                    _waiting.Enqueue(connection);
                    return;
                }

                link.Pending[connection.Id] = connection;
                link.Handed++;
                connection.Sending = true;
                connection.Confirmed = false;
            }

            connection.Handoffs++;
            var message = new SdMessage(HandoffProtocol.Connection, [
                new("id", connection.Id),
                new("peer", connection.Peer),
                new("local", connection.Local),
                new("endpoint", connection.Endpoint.ToString()),
                new("family", FamilyName(connection.Socket.AddressFamily)),
                new("tls", connection.Endpoint.Kind == SdEndpointKind.Tls ? "true" : "false"),
            ]);
            try
            {
                link.Channel.Send(message, connection.Socket.SafeHandle);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                lock (_gate)
                {
                    link.Pending.Remove(connection.Id);
                    connection.Sending = false;
                }

                Drop(link, ex.Message);
                continue;
            }

            bool confirmedAlready;
            lock (_gate)
            {
                connection.Sending = false;
                confirmedAlready = connection.Confirmed;
            }

            if (confirmedAlready) connection.Release();

            if (connection.Handoffs == 1) Interlocked.Increment(ref _handed);
            else Interlocked.Increment(ref _rehanded);
            ListenerLog.Handed(_logger, connection.Id, connection.Peer, link.Pid);
            _handoffs.Writer.TryWrite(new SdHandoff(connection.Id, connection.Endpoint, connection.Peer, link.Pid, connection.Handoffs, DateTimeOffset.UtcNow));
            return;
        }

        Interlocked.Increment(ref _dropped);
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

    private DispatcherLink? NextLink()
    {
        for (var i = 0; i < _links.Count; i++)
        {
            var link = _links[(_next + i) % _links.Count];
            if (!link.Ready || link.Pending.Count >= link.Capacity) continue;
            _next = (_next + i + 1) % _links.Count;
            return link;
        }

        return null;
    }

    private async Task AcceptDispatchersAsync(Socket handoff)
    {
        var token = _stopping.Token;
        var uid = NativeSockets.GetUserId();
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await handoff.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                ListenerLog.AcceptFailed(_logger, Handoff.ToString(), ex.Message);
                continue;
            }

            // The channel is driven by blocking sendmsg/recvmsg only (handoff-notes.md pitfall 5).
            socket.Blocking = true;
            var credentials = NativeSockets.GetPeerCredentials(socket);
            if (credentials.UserId != uid && credentials.UserId != 0)
            {
                // Checked before a single byte is read or sent: a stranger never gets an fd.
                ListenerLog.PeerRefused(_logger, credentials.ProcessId, credentials.UserId, uid);
                socket.Dispose();
                continue;
            }

            var link = new DispatcherLink(new HandoffChannel(socket), credentials);
            lock (_gate) _links.Add(link);
            link.Channel.Start("sd-handoff-" + credentials.ProcessId.ToString(CultureInfo.InvariantCulture));
            _ = RunLinkAsync(link);
        }
    }

    private async Task RunLinkAsync(DispatcherLink link)
    {
        var reason = "the handoff channel closed";
        try
        {
            await foreach (var record in link.Channel.Records.ReadAllAsync().ConfigureAwait(false))
            {
                using (record)
                {
                    if (record.Message is { } message) OnRecord(link, message);
                    else ListenerLog.BadRecord(_logger, link.Pid, record.Error?.Message ?? "empty record");
                }
            }
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }

        Drop(link, reason);
    }

    private void OnRecord(DispatcherLink link, SdMessage message)
    {
        switch (message.Command)
        {
            case HandoffProtocol.Hello:
                if (int.TryParse(message.GetParameter("capacity"), CultureInfo.InvariantCulture, out var capacity) && capacity > 0) link.Capacity = capacity;
                link.Channel.Send(CreateConfig());
                MarkReady(link);
                ListenerLog.DispatcherJoined(_logger, link.Pid, link.Capacity);
                break;
            case HandoffProtocol.Accepted:
                HandedConnection? confirmed = null;
                lock (_gate)
                {
                    if (message.GetParameter("id") is { } id && link.Pending.Remove(id, out confirmed))
                    {
                        if (link.Pending.Count == link.Capacity - 1) SignalReady();
                        if (confirmed.Sending)
                        {
                            confirmed.Confirmed = true; // the sender releases it once sendmsg has returned
                            confirmed = null;
                        }
                    }
                }

                confirmed?.Release();
                break;
            case HandoffProtocol.Quit:
                _ = StopAsync(drain: true, message.GetParameter("reason") ?? $"QUIT from dispatcher {link.Pid}");
                break;
            case "ABSOLUTELY":
                break;
            default:
                ListenerLog.BadRecord(_logger, link.Pid, $"unexpected command {message.Command}");
                break;
        }
    }

    private SdMessage CreateConfig()
    {
        var parameters = new List<KeyValuePair<string, string>> { new("max_line", _options.MaxLineBytes.ToString(CultureInfo.InvariantCulture)) };
        if (_options.Tls is { } tls)
        {
            parameters.Add(new("cert", Path.GetFullPath(tls.CertificatePath)));
            parameters.Add(new("key", Path.GetFullPath(tls.KeyPath)));
            if (tls.ClientCertificateAuthorityPath is { } ca) parameters.Add(new("client_ca", Path.GetFullPath(ca)));
        }

        return new SdMessage(HandoffProtocol.Config, parameters);
    }

    private void MarkReady(DispatcherLink link)
    {
        HandedConnection[] waiting;
        lock (_gate)
        {
            link.Ready = true;
            waiting = [.. _waiting];
            _waiting.Clear();
            SignalReady();
        }

        foreach (var connection in waiting) Hand(connection);
    }

    /// <summary>Wakes the accept loops waiting for a dispatcher; called under the lock.</summary>
    private void SignalReady()
    {
        _linkReady.TrySetResult();
        _linkReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Removes a dispatcher and hands again every connection it had not confirmed.</summary>
    private void Drop(DispatcherLink link, string reason)
    {
        HandedConnection[] orphans;
        lock (_gate)
        {
            if (!_links.Remove(link)) return;
            orphans = [.. link.Pending.Values];
            link.Pending.Clear();
        }

        link.Dispose();
        if (!_stopping.IsCancellationRequested || orphans.Length > 0) ListenerLog.DispatcherLeft(_logger, link.Pid, reason, orphans.Length);
        foreach (var connection in orphans) Hand(connection);
        lock (_gate)
        {
            if (_links.Count == 0) _linksGone.TrySetResult();
        }
    }
}
