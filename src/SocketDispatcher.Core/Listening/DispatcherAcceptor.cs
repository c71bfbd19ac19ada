using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// The joining side of the handoff socket: accepts each dispatcher's connection, checks its
/// credentials (SO_PEERCRED) before a single byte is read or sent, gives the
/// <see cref="HandoffScheduler"/> its <see cref="DispatcherLink"/>, starts the reading of its records
/// (<see cref="DispatcherRecordHandler"/>) and drops the link when its channel ends. No lock: its
/// state is set once in the constructor.
/// </summary>
internal sealed class DispatcherAcceptor(SdListenerOptions options, ILogger logger, HandoffScheduler scheduler, DispatcherRecordHandler records, CancellationToken stopping)
{
    /// <summary>Accepts dispatchers on <paramref name="handoff"/> until it is disposed or the listener stops.</summary>
    public async Task RunAsync(Socket handoff, SdEndpoint endpoint)
    {
        var uid = NativeSockets.GetUserId();
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await handoff.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                ListenerLog.AcceptFailed(logger, endpoint.ToString(), ex.Message);
                continue;
            }

            // The channel is driven by blocking sendmsg/recvmsg only (docs/handoff-protocol.md, pitfall 5).
            socket.Blocking = true;
            var credentials = NativeSockets.GetPeerCredentials(socket);
            if (credentials.UserId != uid && credentials.UserId != 0 && !options.AllowedUserIds.Contains(credentials.UserId))
            {
                // Checked before a single byte is read or sent: a stranger never gets an fd.
                var allowed = string.Join(", ", new[] { uid, 0u }.Concat(options.AllowedUserIds).Distinct());
                ListenerLog.PeerRefused(logger, credentials.ProcessId, credentials.UserId, allowed);
                socket.Dispose();
                continue;
            }

            var link = new DispatcherLink(new HandoffChannel(socket), credentials);
            scheduler.Add(link);

            // Records are handled on the channel's reading thread: ACCEPTED and CLOSED come for every
            // connection, and a thread-pool hop for each batch of them costs more than handling it.
            // The handler never waits for this dispatcher (it may send to others, which read on their own thread).
            link.Start(batch => records.Handle(link, batch));
            _ = WatchLinkAsync(link);
        }
    }

    private async Task WatchLinkAsync(DispatcherLink link)
    {
        var reason = "the handoff channel closed";
        try
        {
            // The records themselves are handled by DispatcherRecordHandler; this only waits for the end of the stream.
            await link.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reason = ex.Message;
        }

        scheduler.Drop(link, reason);
    }
}
