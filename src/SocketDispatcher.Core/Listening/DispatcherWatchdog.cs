using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// The watchdog, on a timer (a quarter of the shorter of <see cref="SdListenerOptions.HandoffTimeout"/>
/// and <see cref="SdListenerOptions.DispatcherTimeout"/>, between 20 ms and 1 s): has the
/// <see cref="HandoffScheduler"/> close the connections that waited too long for a dispatcher, sends
/// <c>ALIVE</c> to each dispatcher, and replaces those that do not answer within the dispatcher
/// timeout (a spawned one is killed, and its slot starts another; one started by hand is only
/// disconnected). It owns only its timer: the <c>ALIVE</c> state is each <see cref="DispatcherLink"/>'s.
/// </summary>
internal sealed class DispatcherWatchdog(SdListenerOptions options, ILogger logger, HandoffScheduler scheduler, DispatcherSupervisor supervisor)
{
    /// <summary>Runs until <paramref name="cancellationToken"/> (the listener's stop) is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var shortest = options.HandoffTimeout < options.DispatcherTimeout ? options.HandoffTimeout : options.DispatcherTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                scheduler.ExpireWaiting(DateTimeOffset.UtcNow);
                CheckAlive();
            }
        }
        catch (OperationCanceledException)
        {
            // The listener is stopping.
        }
    }

    private void CheckAlive()
    {
        var now = DateTimeOffset.UtcNow;
        var timeout = options.DispatcherTimeout;
        foreach (var link in scheduler.Links())
        {
            switch (link.CheckAlive(now, timeout, out var serial))
            {
                case DispatcherLink.AliveCheck.Due:
                    try
                    {
                        // A dispatcher that stopped reading fills its queue: never block the watchdog on it.
                        link.TrySendAlive(serial);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                    {
                        // Gone: its reading side drops it.
                    }

                    break;
                case DispatcherLink.AliveCheck.Unresponsive:
                    ListenerLog.DispatcherUnresponsive(logger, link.ProcessId, (long)timeout.TotalMilliseconds);

                    // A spawned one is killed, and its slot starts another; one started by hand is only disconnected.
                    supervisor.FindProcess(link.ProcessId)?.Kill();
                    scheduler.Drop(link, $"no answer to ALIVE within {timeout.TotalMilliseconds:0} ms");
                    break;
            }
        }
    }
}
