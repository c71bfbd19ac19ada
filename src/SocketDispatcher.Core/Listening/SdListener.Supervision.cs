using System.Globalization;
using SocketDispatcher.Handoff;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>Spawning, restarting and stopping dispatcher processes.</summary>
public sealed partial class SdListener
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRestartDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    private readonly List<DispatcherSlot> _slots = [];
    private readonly Queue<DateTimeOffset> _restarts = new();
    private TaskCompletionSource _linksGone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The dispatchers: spawned ones (also while starting) and those that joined by hand.</summary>
    public IReadOnlyList<SdDispatcherInfo> GetDispatchers()
    {
        lock (_gate)
        {
            var result = new List<SdDispatcherInfo>();
            foreach (var link in _links)
            {
                var slot = _slots.FirstOrDefault(s => s.Process?.ProcessId == link.Pid);
                result.Add(new SdDispatcherInfo(link.Pid, link.Ready ? "ready" : "starting", slot?.Process?.StartedAt ?? link.JoinedAt, slot?.Restarts ?? 0, link.Handed, link.Pending.Count, slot is not null));
            }

            foreach (var slot in _slots)
            {
                if (slot.Process is { } process && !process.Exited.IsCompleted && _links.All(l => l.Pid != process.ProcessId))
                {
                    result.Add(new SdDispatcherInfo(process.ProcessId, "starting", process.StartedAt, slot.Restarts, 0, 0, true));
                }
            }

            return result;
        }
    }

    private string DispatcherProgram => _options.DispatcherProgram
        ?? (ScriptHandlerLaunch.IsScript(_options.Handler) ? ScriptHandlerLaunch.FindPowerShell(_options.PowerShellProgram).Program : null)
        ?? Path.Combine(Path.GetDirectoryName(typeof(SdListener).Assembly.Location) ?? AppContext.BaseDirectory, "sd");

    private void StartSupervision()
    {
        for (var i = 0; i < _options.Dispatchers; i++)
        {
            var slot = new DispatcherSlot();
            lock (_gate) _slots.Add(slot);
            _loops.Add(SuperviseAsync(slot));
        }
    }

    private IEnumerable<string> DispatcherArguments()
    {
        if (ScriptHandlerLaunch.IsScript(_options.Handler))
        {
            foreach (var argument in ScriptHandlerLaunch.Resolve(_options, Handoff.ToString()).Arguments) yield return argument;
            yield break;
        }

        yield return "dispatch";
        yield return "--handoff";
        yield return Handoff.ToString();
        yield return "--handler";
        yield return _options.Handler;
        if (_options.DefinitionPath is { Length: > 0 } definitions)
        {
            yield return "--definitions";
            yield return definitions;
        }

        if (_options.Trace) yield return "--trace";
    }

    private async Task SuperviseAsync(DispatcherSlot slot)
    {
        var token = _stopping.Token;
        var delay = FirstRestartDelay;
        while (!token.IsCancellationRequested)
        {
            DispatcherProcess process;
            try
            {
                process = DispatcherProcess.Start(DispatcherProgram, DispatcherArguments());
            }
            catch (SdException ex)
            {
                ListenerLog.SpawnFailed(_logger, ex.Message);
                Fail(ex);
                return;
            }

            lock (_gate) slot.Process = process;
            ListenerLog.DispatcherSpawned(_logger, process.ProcessId, DispatcherProgram);
            var exitCode = await process.Exited.ConfigureAwait(false);
            if (token.IsCancellationRequested) return;
            if (DateTimeOffset.UtcNow - process.StartedAt > StableRun) delay = FirstRestartDelay;
            if (IsCrashLoop())
            {
                ListenerLog.CrashLoop(_logger, _restarts.Count, _options.RestartWindow.TotalSeconds);
                Fail(new SdException(SdErrorKind.InvalidOperation, "DispatcherCrashLoop", $"dispatchers exited {_restarts.Count} times within {_options.RestartWindow.TotalSeconds:0} s; giving up (see the dispatcher errors above)"));
                return;
            }

            ListenerLog.DispatcherExited(_logger, process.ProcessId, exitCode, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRestartDelay.Ticks));
            lock (_gate) slot.Restarts++;
        }
    }

    private bool IsCrashLoop()
    {
        lock (_restarts)
        {
            var now = DateTimeOffset.UtcNow;
            _restarts.Enqueue(now);
            while (_restarts.Count > 0 && now - _restarts.Peek() > _options.RestartWindow) _restarts.Dequeue();
            return _restarts.Count > _options.MaxRestarts;
        }
    }

    private void Fail(Exception failure)
    {
        if (Interlocked.Exchange(ref _stopStarted, 1) == 0) _ = ShutdownAsync(drain: false, failure.Message, failure);
    }

    private async Task StopDispatchersAsync(TimeSpan drain)
    {
        DispatcherLink[] links;
        DispatcherProcess[] processes;
        lock (_gate)
        {
            // Not ready any more: a connection handed now would never be ACCEPTED.
            foreach (var link in _links) link.Ready = false;
            links = [.. _links];
            processes = _slots.Select(s => s.Process).OfType<DispatcherProcess>().ToArray();
            if (_links.Count == 0) _linksGone.TrySetResult();
        }

        var exit = new SdMessage(HandoffProtocol.Exit, [new("drain", ((long)drain.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))]);
        foreach (var link in links)
        {
            try
            {
                link.Channel.Send(exit);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Already gone; Drop takes care of it.
            }
        }

        var grace = drain + TimeSpan.FromSeconds(5);
        var all = Task.WhenAll(processes.Select(p => (Task)p.Exited).Append(_linksGone.Task));
        try
        {
            await all.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var process in processes.Where(p => !p.Exited.IsCompleted))
            {
                ListenerLog.DispatcherKilled(_logger, process.ProcessId, (long)grace.TotalMilliseconds);
                process.Kill();
            }

            foreach (var link in links) Drop(link, "stopped");
        }

        foreach (var process in processes) process.Dispose();

        HandedConnection[] stranded;
        lock (_gate)
        {
            stranded = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var connection in stranded)
        {
            Interlocked.Increment(ref _dropped);
            connection.Release();
        }
    }
}
