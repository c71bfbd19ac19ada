using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Bench;

/// <summary>
/// One process the benchmark starts (a server or a client), bounded in time twice: it runs under
/// timeout(1), which sends SIGTERM to its whole process group at the bound and SIGKILL 5 s later even
/// if the harness itself died, and disposing it stops it (SIGTERM, then the whole tree is killed).
/// Standard output and error are read line by line, each line stamped with the time since start.
/// </summary>
internal sealed class OwnedProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<OwnedProcess, byte> Live = new();

    // Guards the start of a process against a concurrent shutdown: none starts after KillAll(closing).
    private static readonly Lock StartLock = new();
    private static bool _closed;
    private readonly Process _timeout;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(TimeSpan At, string Text)> _lines = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _mainProcessId;

    private OwnedProcess(string name, string commandLine, Process timeout)
    {
        Name = name;
        CommandLine = commandLine;
        _timeout = timeout;
    }

    /// <summary>Raised for every line of standard output or error, on a reader thread.</summary>
    public event Action<string>? LineReceived;

    public string Name { get; }

    /// <summary>The command as run (without the timeout(1) wrapper), for the report.</summary>
    public string CommandLine { get; }

    /// <summary>Completes when the process (timeout(1) and so the command) has exited.</summary>
    public Task Exited => _exited.Task;

    public TimeSpan Elapsed => _clock.Elapsed;

    public IEnumerable<(TimeSpan At, string Text)> Lines => _lines;

    /// <summary>Starts <paramref name="file"/> under <c>timeout --kill-after=5 BOUND</c>.</summary>
    public static OwnedProcess Start(string name, string file, IReadOnlyList<string> arguments, TimeSpan bound, IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var info = new ProcessStartInfo("timeout")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };
        info.ArgumentList.Add("--kill-after=5");
        info.ArgumentList.Add(((int)Math.Ceiling(bound.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(file);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (key, value) in environment) info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var owned = new OwnedProcess(name, Quote(file, arguments), process);
        process.OutputDataReceived += (_, e) => owned.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => owned.OnLine(e.Data);
        process.Exited += (_, _) => owned._exited.TrySetResult();
        lock (StartLock)
        {
            if (_closed) throw new OperationCanceledException($"{name}: not started, the benchmark is stopping");
            if (!process.Start()) throw new InvalidOperationException($"{name}: timeout(1) did not start");
            Live.TryAdd(owned, 0);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return owned;
    }

    /// <summary>The pid of the command itself: the only child of timeout(1).</summary>
    public async Task<int> MainPidAsync()
    {
        if (_mainProcessId != 0) return _mainProcessId;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            var children = ProcFs.Children(_timeout.Id);
            if (children.Count > 0) return _mainProcessId = children[0];
            if (_exited.Task.IsCompleted) break;
            await Task.Delay(5).ConfigureAwait(false);
        }

        throw new BenchException($"{Name}: no process under timeout(1) pid {_timeout.Id} after {deadline.Elapsed.TotalSeconds:F1} s; output: {Tail()}");
    }

    /// <summary>Waits until the lines seen so far satisfy <paramref name="ready"/>; returns the time since start.</summary>
    public async Task<TimeSpan> WaitUntilAsync(Func<IEnumerable<string>, bool> ready, TimeSpan limit)
    {
        var seen = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(string line)
        {
            if (ready(_lines.Select(l => l.Text))) seen.TrySetResult(_clock.Elapsed);
        }

        // Subscribed first, then checked once: a line that arrives in between is not missed.
        LineReceived += Check;
        try
        {
            Check(string.Empty);
            var done = await Task.WhenAny(seen.Task, _exited.Task, Task.Delay(limit)).ConfigureAwait(false);
            if (done == seen.Task) return await seen.Task.ConfigureAwait(false);
            Check(string.Empty); // the last lines may have come with the exit
            if (seen.Task.IsCompleted) return await seen.Task.ConfigureAwait(false);
            var state = _exited.Task.IsCompleted ? $"exited with {_timeout.ExitCode}" : "still running";
            throw new BenchException($"{Name}: not ready after {_clock.Elapsed.TotalSeconds:F1} s ({state}); last output: {Tail()}");
        }
        finally
        {
            LineReceived -= Check;
        }
    }

    /// <summary>Waits until one line satisfies <paramref name="ready"/>.</summary>
    public Task<TimeSpan> WaitForLineAsync(Func<string, bool> ready, TimeSpan limit) => WaitUntilAsync(lines => lines.Any(ready), limit);

    /// <summary>Closes the command's standard input (a hold-mode load generator then lets go).</summary>
    public void CloseInput() => _timeout.StandardInput.Close();

    /// <summary>Waits for the exit, bounded; returns false if it did not exit in time.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        var done = await Task.WhenAny(_exited.Task, Task.Delay(limit)).ConfigureAwait(false);
        if (done != _exited.Task) return false;
        _timeout.WaitForExit(); // the parameterless wait also drains the output readers
        return true;
    }

    public int ExitCode => _timeout.ExitCode;

    /// <summary>The last lines of output, for error messages.</summary>
    public string Tail(int count = 8) => string.Join(" | ", _lines.TakeLast(count).Select(l => l.Text));

    /// <summary>SIGTERM to the command, up to <paramref name="grace"/> to exit, then SIGKILL to the whole tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_exited.Task.IsCompleted)
        {
            var pid = _mainProcessId != 0 ? _mainProcessId : ProcFs.Children(_timeout.Id) is [var first, ..] ? first : 0;
            if (pid > 0) _ = Kill(pid, Sigterm);
            if (!await WaitForExitAsync(grace).ConfigureAwait(false))
            {
                try
                {
                    _timeout.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }

                await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }

        Live.TryRemove(this, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _timeout.Dispose();
    }

    /// <summary>
    /// Kills every process still owned, with its tree: the harness's last word on any exit path.
    /// With <paramref name="closing"/>, no process can be started afterwards.
    /// </summary>
    public static void KillAll(bool closing = false)
    {
        lock (StartLock)
        {
            _closed |= closing;
        }

        foreach (var owned in Live.Keys)
        {
            try
            {
                if (!owned._timeout.HasExited) owned._timeout.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private void OnLine(string? text)
    {
        if (text is null) return;
        _lines.Enqueue((_clock.Elapsed, text));
        LineReceived?.Invoke(text);
    }

    private static string Quote(string file, IEnumerable<string> arguments)
        => string.Join(' ', new[] { file }.Concat(arguments).Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\') ? "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : a));

    private const int Sigterm = 15;

    // kill(2): .NET's Process.Kill only sends SIGKILL, and the servers must get SIGTERM to stop cleanly.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
