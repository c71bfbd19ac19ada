using Microsoft.Extensions.Logging;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Listening;

/// <summary>
/// Keeps <see cref="SdListenerOptions.Dispatchers"/> dispatcher processes running, one per
/// <see cref="DispatcherSlot"/>: spawns them, restarts one that exits (after 100 ms, doubling up to
/// 5 s, back to 100 ms after 10 s of stable run), gives up on a crash loop (more than
/// <see cref="SdListenerOptions.MaxRestarts"/> exits within <see cref="SdListenerOptions.RestartWindow"/>),
/// and stops them: <c>EXIT</c> with a drain, <c>EXIT drain=0</c> when the drain is cut short, a kill after the grace.
/// </summary>
/// <remarks>
/// One lock, <c>_gate</c>, guards the slots (and what each holds) and the record of recent exits.
/// It is never held while the scheduler's lock is taken: <see cref="Describe"/> gets the links read already.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A CancellationTokenSource without a timer holds nothing to release; it lives as long as the listener, and cancelling a disposed one would throw during a stop.")]
internal sealed class DispatcherSupervisor(SdListenerOptions options, ILogger logger, HandoffScheduler scheduler, SdEndpoint handoff, Action<Exception> fail, CancellationToken stopping)
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRestartDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<DispatcherSlot> _slots = [];
    private readonly Queue<DateTimeOffset> _exits = new();
    private readonly CancellationTokenSource _skipDrain = new();
    private bool _gaveUp;

    /// <summary>Starts one supervision loop per slot; each task ends when the listener stops or gives up.</summary>
    public IReadOnlyList<Task> Start()
    {
        var loops = new List<Task>();
        for (var i = 0; i < options.Dispatchers; i++)
        {
            var slot = new DispatcherSlot();
            lock (_gate) _slots.Add(slot);
            loops.Add(SuperviseAsync(slot));
        }

        return loops;
    }

    /// <summary>The spawned process with that pid, if it is one of ours.</summary>
    public DispatcherProcess? FindProcess(int pid)
    {
        lock (_gate) return _slots.Select(s => s.Process).FirstOrDefault(p => p?.ProcessId == pid);
    }

    /// <summary>The dispatchers: the connected ones (<paramref name="links"/>), then spawned ones that have not connected yet.</summary>
    public IReadOnlyList<SdDispatcherInfo> Describe(LinkSnapshot[] links)
    {
        lock (_gate)
        {
            var result = new List<SdDispatcherInfo>();
            foreach (var link in links)
            {
                var slot = _slots.FirstOrDefault(s => s.Process?.ProcessId == link.ProcessId);
                result.Add(new SdDispatcherInfo(link.ProcessId, link.State, slot?.Process?.StartedAt ?? link.JoinedAt, slot?.Restarts ?? 0, link.Handed, link.Open, link.Pending, slot is not null));
            }

            foreach (var slot in _slots)
            {
                if (slot.Process is { } process && !process.Exited.IsCompleted && links.All(l => l.ProcessId != process.ProcessId))
                {
                    result.Add(new SdDispatcherInfo(process.ProcessId, SdDispatcherState.Starting, process.StartedAt, slot.Restarts, 0, 0, 0, true));
                }
            }

            return result;
        }
    }

    /// <summary>Cuts the drain short (now, or when it comes): every dispatcher gets <c>EXIT drain=0</c>. False when it was cut already.</summary>
    public bool SkipDrain()
    {
        if (_skipDrain.IsCancellationRequested) return false;
        _skipDrain.Cancel();
        return true;
    }

    /// <summary>
    /// Stops every dispatcher: <c>EXIT drain=MS</c> to the connected ones, a kill for a spawned one that
    /// has not connected, then waits up to <paramref name="drain"/> plus 5 s for the processes to exit
    /// and the links to close; kills what is left. Then closes the connections still waiting.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var links = scheduler.BeginExit();
        DispatcherProcess[] processes;
        lock (_gate) processes = _slots.Select(s => s.Process).OfType<DispatcherProcess>().ToArray();

        if (_skipDrain.IsCancellationRequested) drain = TimeSpan.Zero;
        SendExit(links, drain);

        // A dispatcher spawned just before the stop has no link yet, so it gets no EXIT, and the
        // handoff socket no longer accepts it: without this the stop would wait the whole drain
        // timeout for a process that holds no connection (connections go to ready links only).
        foreach (var process in processes.Where(p => !p.Exited.IsCompleted && links.All(l => l.ProcessId != p.ProcessId)))
        {
            ListenerLog.UnjoinedDispatcherEnded(logger, process.ProcessId);
            process.Kill();
        }

        var all = Task.WhenAll(processes.Select(p => (Task)p.Exited).Append(scheduler.LinksGone));
        try
        {
            try
            {
                await all.WaitAsync(drain + Grace, _skipDrain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // STOP, or a second SIGTERM, during the drain.
                SendExit(links, TimeSpan.Zero);
                await all.WaitAsync(Grace).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            foreach (var process in processes.Where(p => !p.Exited.IsCompleted))
            {
                ListenerLog.DispatcherKilled(logger, process.ProcessId, (long)(drain + Grace).TotalMilliseconds);
                process.Kill();
            }

            foreach (var link in links) scheduler.Drop(link, "stopped");
        }

        foreach (var process in processes) process.Dispose();
        scheduler.DropWaiting();
    }

    private static void SendExit(DispatcherLink[] links, TimeSpan drain)
    {
        foreach (var link in links)
        {
            try
            {
                link.SendExit(drain);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Already gone; its channel's end drops it.
            }
        }
    }

    private async Task SuperviseAsync(DispatcherSlot slot)
    {
        var delay = FirstRestartDelay;
        while (!stopping.IsCancellationRequested)
        {
            string program;
            DispatcherProcess process;
            try
            {
                program = DispatcherCommandLine.Program(options);
                process = DispatcherProcess.Start(program, DispatcherCommandLine.Arguments(options, handoff), options.CaptureDispatcherOutput ? (pid, line) => DispatcherOutput.Log(logger, pid, line) : null);
            }
            catch (SdException ex)
            {
                ListenerLog.SpawnFailed(logger, ex.Message);
                fail(ex);
                return;
            }

            lock (_gate) slot.Run(process);
            ListenerLog.DispatcherSpawned(logger, process.ProcessId, program);
            var exitCode = await process.Exited.ConfigureAwait(false);
            if (stopping.IsCancellationRequested) return;
            if (DateTimeOffset.UtcNow - process.StartedAt > StableRun) delay = FirstRestartDelay;
            if (IsCrashLoop(out var exits))
            {
                ListenerLog.CrashLoop(logger, exits, options.RestartWindow.TotalSeconds);
                fail(new SdException(SdErrorKind.InvalidOperation, "DispatcherCrashLoop", $"dispatchers exited {exits} times within {options.RestartWindow.TotalSeconds:0} s (the last one, pid {process.ProcessId}, with code {exitCode}); giving up (see the dispatcher errors above)"));
                return;
            }

            ListenerLog.DispatcherExited(logger, process.ProcessId, exitCode, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRestartDelay.Ticks));
            lock (_gate) slot.CountRestart();
        }
    }

    /// <summary>Counts an exit; true, once only, when more than <see cref="SdListenerOptions.MaxRestarts"/> fell within the window.</summary>
    private bool IsCrashLoop(out int exits)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            _exits.Enqueue(now);
            while (_exits.Count > 0 && now - _exits.Peek() > options.RestartWindow) _exits.Dequeue();
            exits = _exits.Count;
            if (_gaveUp || exits <= options.MaxRestarts) return false;
            _gaveUp = true;
            return true;
        }
    }
}
