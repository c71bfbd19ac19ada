using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The base of the cmdlets that wait on Core: Ctrl+C (<see cref="StopProcessing"/>) cancels
/// <see cref="CancelToken"/>, and <see cref="Await{T}(Task{T})"/> blocks the pipeline thread on a task
/// while it writes the queued log events of <see cref="Log"/> as Verbose and Warning records.
/// </summary>
public abstract class SdCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped (see <see cref="StopProcessing"/>).</summary>
    private protected CancellationToken CancelToken => _cancel.Token;

    /// <summary>The log whose entries are written while waiting; null for none.</summary>
    private protected PipelineLog? Log { get; set; }

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the cmdlet holds.</summary>
    /// <param name="disposing">Whether this is called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _cancel.Dispose();
    }

    /// <summary>Cancels <see cref="CancelToken"/>; called by PowerShell on another thread.</summary>
    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Waits for <paramref name="task"/> on the pipeline thread, writing log events meanwhile.</summary>
    private protected T Await<T>(Task<T> task)
    {
        Pump(task);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for <paramref name="task"/> on the pipeline thread, writing log events meanwhile.</summary>
    private protected void Await(Task task)
    {
        Pump(task);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Writes the log events queued so far.</summary>
    private protected void WriteLog()
    {
        if (Log is not { } log) return;
        while (log.TryDequeue(out var entry))
        {
            // After Ctrl+C every Write* throws PipelineStoppedException: the rest is dropped.
            if (CancelToken.IsCancellationRequested) continue;
            if (entry.Level >= LogLevel.Warning) WriteWarning(entry.ToString());
            else WriteVerbose(entry.ToString());
        }
    }

    /// <summary>
    /// Runs <paramref name="service"/> as <paramref name="job"/>, adds the job to the session's repository
    /// (Get-Job, Wait-Job, Receive-Job) and writes it: how every -AsJob returns its job.
    /// </summary>
    private protected void WriteJob(SdServiceJob job, ISdJobService service)
    {
        job.Start(service);
        JobRepository.Add(job);
        WriteObject(job);
    }

    /// <summary>
    /// Resolves a file path given to a parameter (relative to the current PowerShell location, not
    /// the process's); a missing file ends the command with an ObjectNotFound error.
    /// </summary>
    internal string ResolveExistingFile(string path, string parameterName)
    {
        var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(resolved))
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"-{parameterName}: the file '{resolved}' does not exist", resolved),
                "FileNotFound",
                ErrorCategory.ObjectNotFound,
                path));
        }

        return resolved;
    }

    /// <summary>Resolves definition directories against the current PowerShell location and joins them into a colon-separated search path; null for none.</summary>
    internal string? ResolveDefinitionPath(string[]? directories)
        => directories is null ? null : string.Join(':', directories.Select(d => SessionState.Path.GetUnresolvedProviderPathFromPSPath(d)));

    private void Pump(Task task)
    {
        if (Log is not { } log)
        {
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
            return;
        }

        WaitHandle[] handles = [((IAsyncResult)task).AsyncWaitHandle, log.Signal];
        while (!task.IsCompleted)
        {
            WaitHandle.WaitAny(handles);
            WriteLog();
        }

        WriteLog();
    }
}
