using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Handoff;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>Spawning, restarting, watching and stopping dispatcher processes.</summary>
public sealed partial class SdListener
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRestartDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    private readonly List<DispatcherSlot> _slots = [];
    private readonly Queue<DateTimeOffset> _restarts = new();
    private readonly CancellationTokenSource _skipDrain = new();
    private bool _gaveUp;
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
                var state = link.Exiting ? "exiting" : link.Ready ? "ready" : "starting";
                result.Add(new SdDispatcherInfo(link.Pid, state, slot?.Process?.StartedAt ?? link.JoinedAt, slot?.Restarts ?? 0, link.Handed, link.Open.Count, link.Pending.Count, slot is not null));
            }

            foreach (var slot in _slots)
            {
                if (slot.Process is { } process && !process.Exited.IsCompleted && _links.All(l => l.Pid != process.ProcessId))
                {
                    result.Add(new SdDispatcherInfo(process.ProcessId, "starting", process.StartedAt, slot.Restarts, 0, 0, 0, true));
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

        _loops.Add(WatchAsync());
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
        yield return "--capacity";
        yield return _options.Capacity.ToString(CultureInfo.InvariantCulture);
        if (_options.DefinitionPath is { Length: > 0 } definitions)
        {
            yield return "--definitions";
            yield return definitions;
        }

        if (_options.Trace) yield return "--trace";
        if (_options.LogFile is { } logFile)
        {
            yield return "--log-file";
            yield return SdFileLoggerProvider.DispatcherPath(logFile.Path);
        }
    }

    /// <summary>
    /// Logs a line a spawned dispatcher wrote to standard error. Its own log lines read
    /// <c>TIME LEVEL: CATEGORY[ID] TEXT</c> (SdLogging's console format): the level is kept and the
    /// time and category dropped; any other line (a crash's stack trace) is logged as a warning.
    /// </summary>
    private void LogDispatcherOutput(int pid, string line)
    {
        var match = DispatcherLogLine().Match(line);
        var level = !match.Success ? LogLevel.Warning : match.Groups["level"].Value switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => LogLevel.Information,
        };
        ListenerLog.DispatcherOutput(_logger, level, pid, match.Success ? match.Groups["text"].Value : line);
    }

    [GeneratedRegex(@"^\S+ (?<level>[a-z]{4}): \S+\[\d+\] (?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex DispatcherLogLine();

    private async Task SuperviseAsync(DispatcherSlot slot)
    {
        var token = _stopping.Token;
        var delay = FirstRestartDelay;
        while (!token.IsCancellationRequested)
        {
            DispatcherProcess process;
            try
            {
                process = DispatcherProcess.Start(DispatcherProgram, DispatcherArguments(), _options.CaptureDispatcherOutput ? LogDispatcherOutput : null);
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
            if (IsCrashLoop(out var exits))
            {
                ListenerLog.CrashLoop(_logger, exits, _options.RestartWindow.TotalSeconds);
                Fail(new SdException(SdErrorKind.InvalidOperation, "DispatcherCrashLoop", $"dispatchers exited {exits} times within {_options.RestartWindow.TotalSeconds:0} s (the last one, pid {process.ProcessId}, with code {exitCode}); giving up (see the dispatcher errors above)"));
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

    /// <summary>Counts an exit; true, once only, when more than <see cref="ListenerOptions.MaxRestarts"/> fell within the window.</summary>
    private bool IsCrashLoop(out int exits)
    {
        lock (_restarts)
        {
            var now = DateTimeOffset.UtcNow;
            _restarts.Enqueue(now);
            while (_restarts.Count > 0 && now - _restarts.Peek() > _options.RestartWindow) _restarts.Dequeue();
            exits = _restarts.Count;
            if (_gaveUp || exits <= _options.MaxRestarts) return false;
            _gaveUp = true;
            return true;
        }
    }

    private void Fail(Exception failure)
    {
        if (Interlocked.Exchange(ref _stopStarted, 1) == 0) _ = ShutdownAsync(drain: false, failure.Message, failure);
    }

    /// <summary>
    /// The watchdog, on a timer: closes connections that waited longer than
    /// <see cref="ListenerOptions.HandoffTimeout"/> for a dispatcher, sends <c>ALIVE</c> to each
    /// dispatcher and replaces those that do not answer within <see cref="ListenerOptions.DispatcherTimeout"/>.
    /// </summary>
    private async Task WatchAsync()
    {
        var shortest = _options.HandoffTimeout < _options.DispatcherTimeout ? _options.HandoffTimeout : _options.DispatcherTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                ExpireWaiting();
                CheckAlive();
            }
        }
        catch (OperationCanceledException)
        {
            // The listener is stopping.
        }
    }

    private void ExpireWaiting()
    {
        var now = DateTimeOffset.UtcNow;
        var expired = new List<HandedConnection>();
        lock (_gate)
        {
            while (_waiting.Count > 0 && now - _waiting.Peek().WaitingSince >= _options.HandoffTimeout) expired.Add(_waiting.Dequeue());
        }

        foreach (var connection in expired)
        {
            ListenerLog.HandoffTimedOut(_logger, connection.Id, connection.Peer, (long)(now - connection.WaitingSince).TotalMilliseconds);
            Interlocked.Increment(ref _dropped);
            Release(connection);
        }

        if (expired.Count > 0) HandWaiting();
    }

    private void CheckAlive()
    {
        var now = DateTimeOffset.UtcNow;
        var timeout = _options.DispatcherTimeout;
        var interval = timeout / 3;
        var unresponsive = new List<DispatcherLink>();
        var due = new List<(DispatcherLink Link, SdMessage Alive)>();
        lock (_gate)
        {
            foreach (var link in _links)
            {
                if (link.Exiting) continue;
                var silentSince = link.Ready ? link.AliveUnansweredSince : link.JoinedAt;
                if (silentSince is { } since && now - since > timeout)
                {
                    unresponsive.Add(link);
                }
                else if (link.Ready && link.AliveUnansweredSince is null && now - link.LastAnswer >= interval)
                {
                    link.AliveUnansweredSince = now;
                    var serial = ++link.AliveSerial;
                    due.Add((link, new SdMessage(HandoffProtocol.Alive, [new("serial", serial.ToString(CultureInfo.InvariantCulture))])));
                }
            }
        }

        foreach (var (link, alive) in due)
        {
            try
            {
                // A dispatcher that stopped reading fills its queue: never block the watchdog on it.
                link.Channel.TrySend(alive);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // Gone: its reading side drops it.
            }
        }

        foreach (var link in unresponsive)
        {
            ListenerLog.DispatcherUnresponsive(_logger, link.Pid, (long)timeout.TotalMilliseconds);
            DispatcherProcess? process;
            lock (_gate) process = _slots.Select(s => s.Process).FirstOrDefault(p => p?.ProcessId == link.Pid);

            // A spawned one is killed, and its slot starts another; one started by hand is only disconnected.
            process?.Kill();
            Drop(link, $"no answer to ALIVE within {timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Cuts a drain in progress short: every dispatcher gets <c>EXIT drain=0</c>.</summary>
    private void SkipDrain(string reason)
    {
        if (_skipDrain.IsCancellationRequested) return;
        ListenerLog.DrainSkipped(_logger, Name, reason);
        _skipDrain.Cancel();
    }

    private async Task StopDispatchersAsync(TimeSpan drain)
    {
        DispatcherLink[] links;
        DispatcherProcess[] processes;
        lock (_gate)
        {
            // Not ready any more: a connection handed now would never be ACCEPTED.
            foreach (var link in _links)
            {
                link.Ready = false;
                link.Exiting = true;
            }

            links = [.. _links];
            processes = _slots.Select(s => s.Process).OfType<DispatcherProcess>().ToArray();
            if (_links.Count == 0) _linksGone.TrySetResult();
        }

        if (_skipDrain.IsCancellationRequested) drain = TimeSpan.Zero;
        SendExit(links, drain);

        // A dispatcher spawned just before the stop has no link yet, so it gets no EXIT, and the
        // handoff socket no longer accepts it: without this the stop would wait the whole drain
        // timeout for a process that holds no connection (connections go to ready links only).
        foreach (var process in processes.Where(p => !p.Exited.IsCompleted && links.All(l => l.Pid != p.ProcessId)))
        {
            ListenerLog.UnjoinedDispatcherEnded(_logger, process.ProcessId);
            process.Kill();
        }

        var grace = TimeSpan.FromSeconds(5);
        var all = Task.WhenAll(processes.Select(p => (Task)p.Exited).Append(_linksGone.Task));
        try
        {
            try
            {
                await all.WaitAsync(drain + grace, _skipDrain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // STOP, or a second SIGTERM, during the drain.
                SendExit(links, TimeSpan.Zero);
                await all.WaitAsync(grace).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            foreach (var process in processes.Where(p => !p.Exited.IsCompleted))
            {
                ListenerLog.DispatcherKilled(_logger, process.ProcessId, (long)(drain + grace).TotalMilliseconds);
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
            Release(connection);
        }
    }

    private static void SendExit(DispatcherLink[] links, TimeSpan drain)
    {
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
    }
}
