using System.Diagnostics;

namespace SocketDispatcher.Listening;

/// <summary>
/// Owns one spawned dispatcher process: exit is observed with <see cref="Process.WaitForExitAsync"/>,
/// never polled; disposing kills what still runs and waits for it.
/// </summary>
internal sealed class DispatcherProcess : IDisposable
{
    private readonly Process _process;

    private DispatcherProcess(Process process)
    {
        _process = process;
        ProcessId = process.Id;
        StartedAt = DateTimeOffset.UtcNow;
        Exited = WaitAsync();
    }

    public int ProcessId { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited { get; }

    /// <param name="program">The dispatcher program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="errorLine">Gets each line it writes to standard error, with its pid; null lets the
    /// lines go to this process's standard error.</param>
    /// <exception cref="SdException">The program cannot be started (NotFound).</exception>
    public static DispatcherProcess Start(string program, IEnumerable<string> arguments, Action<int, string>? errorLine = null)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = errorLine is not null };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        // A smaller gen0 budget: the GC sizes it from the L3 size the VM reports, which makes each
        // dispatcher hold about 120 MB under load instead of about 50 MB (docs/handoff-protocol.md, pitfall 12).
        if (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is null) info.Environment["DOTNET_GCgen0size"] = "0x1000000";

        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException("no process was started");
            if (errorLine is not null)
            {
                var pid = process.Id;
                process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data is { Length: > 0 } line) errorLine(pid, line);
                };
                process.BeginErrorReadLine();
            }

            return new DispatcherProcess(process);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new SdException(SdErrorKind.NotFound, "DispatcherProgramUnavailable", $"cannot start the dispatcher program '{program}': {ex.Message}", ex);
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }
}
