using System.Globalization;
using System.Net.Sockets;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>The dispatchers' side: joining (SO_PEERCRED), their records (HELLO, ACCEPTED, CLOSED, QUIT, ABSOLUTELY), and leaving.</summary>
public sealed partial class SdListener
{
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
            if (credentials.UserId != uid && credentials.UserId != 0 && !_options.AllowedUserIds.Contains(credentials.UserId))
            {
                // Checked before a single byte is read or sent: a stranger never gets an fd.
                var allowed = string.Join(", ", new[] { uid, 0u }.Concat(_options.AllowedUserIds).Distinct());
                ListenerLog.PeerRefused(_logger, credentials.ProcessId, credentials.UserId, allowed);
                socket.Dispose();
                continue;
            }

            var link = new DispatcherLink(new HandoffChannel(socket), credentials);
            lock (_gate) _links.Add(link);
            // Records are handled on the channel's reading thread: ACCEPTED and CLOSED come for every
            // connection, and a thread-pool hop for each batch of them costs more than handling it.
            // OnRecord never waits for this dispatcher (it may send to others, which read on their own thread).
            link.Channel.Start("sd-handoff-" + credentials.ProcessId.ToString(CultureInfo.InvariantCulture), records => HandleRecords(link, records));
            _ = RunLinkAsync(link);
        }
    }

    private async Task RunLinkAsync(DispatcherLink link)
    {
        var reason = "the handoff channel closed";
        try
        {
            // The records themselves are handled by HandleRecord; this only waits for the end of the stream.
            await link.Channel.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }

        Drop(link, reason);
    }

    private void HandleRecords(DispatcherLink link, IReadOnlyList<HandoffRecord> records)
    {
        foreach (var record in records)
        {
            using (record)
            {
                if (record.Message is { } message) OnRecord(link, message);
                else ListenerLog.BadRecord(_logger, link.Pid, record.Error?.Message ?? "empty record");
            }
        }
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
                // The dispatcher has its own copy now; ours stays until CLOSED, in case the
                // dispatcher dies before touching the connection.
                lock (_gate)
                {
                    foreach (var id in HandoffProtocol.ConnectionIds(message))
                    {
                        if (link.Pending.Remove(id, out var accepted)) link.Open[id] = accepted;
                    }
                }

                break;
            case HandoffProtocol.Closed:
                OnClosed(link, HandoffProtocol.ConnectionIds(message));
                break;
            case HandoffProtocol.Quit:
                // Stopping sends EXIT to every dispatcher: not from a reading thread (see HandWaitingLater).
                var reason = message.GetParameter("reason") ?? $"QUIT from dispatcher {link.Pid}";
                _ = Task.Run(() => StopAsync(drain: true, reason));
                break;
            case HandoffProtocol.Absolutely:
                lock (_gate)
                {
                    link.AliveUnansweredSince = null;
                    link.LastAnswer = DateTimeOffset.UtcNow;
                }

                break;
            default:
                ListenerLog.BadRecord(_logger, link.Pid, $"unexpected command {message.Command}");
                break;
        }
    }

    private void OnClosed(DispatcherLink link, string[] ids)
    {
        var any = false;
        foreach (var id in ids)
        {
            HandedConnection? closed;
            lock (_gate)
            {
                if (!(link.Open.Remove(id, out closed) || link.Pending.Remove(id, out closed))) continue;
            }

            Release(closed);
            any = true;
        }

        if (any) HandWaitingLater();
    }

    private SdMessage CreateConfig()
    {
        var parameters = new List<KeyValuePair<string, string>> { new("max_line", _options.MaxLineBytes.ToString(CultureInfo.InvariantCulture)) };
        if (_options.Tls is { } tls)
        {
            parameters.Add(new("cert", Path.GetFullPath(tls.CertificatePath)));
            if (tls.KeyPath is { } key) parameters.Add(new("key", Path.GetFullPath(key)));
            if (tls.ClientCertificateAuthorityPath is { } ca) parameters.Add(new("client_ca", Path.GetFullPath(ca)));
        }

        return new SdMessage(HandoffProtocol.Config, parameters);
    }

    private void MarkReady(DispatcherLink link)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) return;
            link.Ready = true;
            link.LastAnswer = DateTimeOffset.UtcNow;
        }

        HandWaitingLater();
    }

    /// <summary>
    /// Removes a dispatcher. Every connection it had not touched yet (no byte read or written, checked
    /// with TCP_INFO: it died before or right after taking it) is handed again, whether or not it was
    /// confirmed; the others had their conversation cut and are closed. An AF_UNIX connection cannot be
    /// checked: it is handed again when unconfirmed (a dispatcher confirms those before any I/O), closed otherwise.
    /// </summary>
    private void Drop(DispatcherLink link, string reason)
    {
        HandedConnection[] pending;
        HandedConnection[] open;
        lock (_gate)
        {
            if (!_links.Remove(link)) return;
            pending = [.. link.Pending.Values];
            open = [.. link.Open.Values];
            link.Pending.Clear();
            link.Open.Clear();
            foreach (var connection in pending.Concat(open)) connection.Link = null;
        }

        link.Dispose();
        var orphans = pending.Where(c => c.Family == AddressFamily.Unix || NativeSockets.IsUntouched(c.Descriptor))
            .Concat(open.Where(c => c.Family != AddressFamily.Unix && NativeSockets.IsUntouched(c.Descriptor)))
            .ToArray();
        var cut = pending.Concat(open).Except(orphans).ToArray();
        if (!_stopping.IsCancellationRequested || orphans.Length > 0 || cut.Length > 0) ListenerLog.DispatcherLeft(_logger, link.Pid, reason, orphans.Length, cut.Length);
        foreach (var connection in cut) Release(connection);
        foreach (var connection in orphans) Hand(connection);
        HandWaiting();
        lock (_gate)
        {
            if (_links.Count == 0) _linksGone.TrySetResult();
        }
    }
}
