using Microsoft.Extensions.Logging;
using SocketDispatcher.Handoff;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// Handles the records dispatchers send (<c>HELLO</c>, <c>ACCEPTED</c>, <c>CLOSED</c>, <c>QUIT</c>,
/// <c>ABSOLUTELY</c>), on each channel's reading thread: the one place that reads the handoff
/// protocol's incoming side. It holds no state and no lock; what a record changes belongs to the
/// <see cref="HandoffScheduler"/> or the <see cref="DispatcherLink"/>. Nothing here may block on a
/// send to another dispatcher (see <c>HandoffScheduler.HandWaitingLater</c>).
/// </summary>
internal sealed class DispatcherRecordHandler(SdListenerOptions options, ILogger logger, HandoffScheduler scheduler, Action<string> requestStop)
{
    /// <summary>Handles a batch of records from <paramref name="link"/>, and disposes them.</summary>
    public void Handle(DispatcherLink link, IReadOnlyList<HandoffRecord> records)
    {
        foreach (var record in records)
        {
            using (record)
            {
                if (record.Message is { } message) OnRecord(link, message);
                else ListenerLog.BadRecord(logger, link.ProcessId, record.Error?.Message ?? "empty record");
            }
        }
    }

    private void OnRecord(DispatcherLink link, SdMessage message)
    {
        string error;
        switch (message.Command)
        {
            case HelloRecord.Command:
                if (!HelloRecord.TryRead(message, out var hello, out error)) break;
                link.SendConfig(options);
                scheduler.MarkReady(link, hello.Capacity);
                ListenerLog.DispatcherJoined(logger, link.ProcessId, link.Capacity);
                return;
            case AcceptedRecord.Command:
                // The dispatcher has its own copy now; ours stays until CLOSED, in case the
                // dispatcher dies before touching the connection.
                if (!AcceptedRecord.TryRead(message, out var accepted, out error)) break;
                scheduler.Confirm(link, accepted.Ids);
                return;
            case ClosedRecord.Command:
                if (!ClosedRecord.TryRead(message, out var closed, out error)) break;
                scheduler.Closed(link, closed.Ids);
                return;
            case QuitRecord.Command:
                // Stopping sends EXIT to every dispatcher: not from a reading thread.
                if (!QuitRecord.TryRead(message, out var quit, out error)) break;
                requestStop(quit.Reason ?? $"QUIT from dispatcher {link.ProcessId}");
                return;
            case AbsolutelyRecord.Command:
                if (!AbsolutelyRecord.TryRead(message, out _, out error)) break;
                link.Answered(DateTimeOffset.UtcNow);
                return;
            default:
                error = $"unexpected command {message.Command}";
                break;
        }

        // A record that does not read is logged and ignored: a dispatcher whose HELLO does not read
        // never becomes ready, and the watchdog drops it after the dispatcher timeout.
        ListenerLog.BadRecord(logger, link.ProcessId, error);
    }
}
