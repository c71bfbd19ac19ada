using System.Globalization;
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
internal sealed class DispatcherRecordHandler(ListenerOptions options, ILogger logger, HandoffScheduler scheduler, Action<string> requestStop)
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
        switch (message.Command)
        {
            case HandoffProtocol.Hello:
                int? capacity = int.TryParse(message.GetParameter("capacity"), CultureInfo.InvariantCulture, out var said) && said > 0 ? said : null;
                link.SendConfig(options);
                scheduler.MarkReady(link, capacity);
                ListenerLog.DispatcherJoined(logger, link.ProcessId, link.Capacity);
                break;
            case HandoffProtocol.Accepted:
                // The dispatcher has its own copy now; ours stays until CLOSED, in case the
                // dispatcher dies before touching the connection.
                scheduler.Confirm(link, HandoffProtocol.ConnectionIds(message));
                break;
            case HandoffProtocol.Closed:
                scheduler.Closed(link, HandoffProtocol.ConnectionIds(message));
                break;
            case HandoffProtocol.Quit:
                // Stopping sends EXIT to every dispatcher: not from a reading thread.
                requestStop(message.GetParameter("reason") ?? $"QUIT from dispatcher {link.ProcessId}");
                break;
            case HandoffProtocol.Absolutely:
                link.Answered(DateTimeOffset.UtcNow);
                break;
            default:
                ListenerLog.BadRecord(logger, link.ProcessId, $"unexpected command {message.Command}");
                break;
        }
    }
}
