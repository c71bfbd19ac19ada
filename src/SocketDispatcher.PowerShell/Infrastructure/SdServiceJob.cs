using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The job <c>Start-SdListener -AsJob</c> and <c>Start-SdDispatcher -AsJob</c> return: the service
/// runs in this process (Core is asynchronous, so no runspace or thread is held for it), its objects
/// go to the job's Output, its log to Verbose and Warning, and a failure to Error. <c>Stop-Job</c>
/// stops it as QUIT does (open conversations drain) and returns once it is gone; <c>Remove-Job</c>
/// releases it. The model is PowerShell/ThreadJob: a <see cref="Job"/> registered in the session's
/// job repository, so Get-Job, Wait-Job and Receive-Job -Wait treat it like any other.
/// </summary>
public sealed class SdServiceJob : Job
{
    private readonly object _gate = new();
    private readonly string _location;
    private readonly string _errorSuffix;
    private PipelineLog? _log;
    private RegisteredWaitHandle? _logWait;
    private Func<bool, string, Task>? _stop;
    private Func<string>? _status;
    private IDisposable? _resources;
    private Task? _running;
    private bool _stopRequested;

    internal SdServiceJob(string command, string name, string jobTypeName, string location, Type cmdletType)
        : base(command, name)
    {
        PSJobTypeName = jobTypeName;
        _location = location;
        _errorSuffix = "," + cmdletType.FullName;
    }

    /// <summary>Where the service listens or what it serves (its endpoints or handoff socket).</summary>
    public override string Location => _location;

    /// <summary>The service's own state: running, stopping, stopped.</summary>
    public override string StatusMessage => _status?.Invoke() ?? JobStateInfo.State.ToString();

    /// <summary>Whether Receive-Job has anything left to take.</summary>
    public override bool HasMoreData
        => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0 || Debug.Count > 0 || Information.Count > 0;

    /// <summary>
    /// Stops the service with a drain and waits until it has stopped (up to its drain timeout);
    /// the job ends Stopped. What Stop-Job and Remove-Job -Force call.
    /// </summary>
    public override void StopJob() => Stop(drain: true, "Stop-Job").GetAwaiter().GetResult();

    /// <summary>Starts watching a service that runs already.</summary>
    /// <param name="running">Completes when the service has stopped (faults when it failed); it writes the job's output meanwhile.</param>
    /// <param name="stop">Asks the service to stop: with a drain or not, and why.</param>
    /// <param name="status">The service's own state, for <see cref="StatusMessage"/>.</param>
    /// <param name="log">The log to copy into Verbose and Warning; null when the service writes to the job's streams itself.</param>
    /// <param name="resources">Released once the service has stopped (its logger factory, its log file).</param>
    internal void Start(Task running, Func<bool, string, Task> stop, Func<string> status, PipelineLog? log, IDisposable? resources)
    {
        _stop = stop;
        _status = status;
        _log = log;
        _resources = resources;
        if (log is not null) _logWait = ThreadPool.RegisterWaitForSingleObject(log.Signal, (_, _) => CopyLog(), null, Timeout.Infinite, executeOnlyOnce: false);
        SetJobState(JobState.Running);
        _running = running;
        _ = running.ContinueWith(Finish, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Adds a record to the job's Error stream, its id read as if the cmdlet had written it.</summary>
    internal void AddError(ErrorRecord record)
        => Error.Add(record.FullyQualifiedErrorId.Contains(',', StringComparison.Ordinal)
            ? record
            : new ErrorRecord(record.Exception, record.FullyQualifiedErrorId + _errorSuffix, record.CategoryInfo.Category, record.TargetObject));

    /// <summary>Stops the service (Stop-SdListener, Stop-Job) and completes when it has.</summary>
    internal Task Stop(bool drain, string reason)
    {
        Func<bool, string, Task>? stop;
        lock (_gate)
        {
            if (IsFinishedState(JobStateInfo.State) || _stop is null) return Task.CompletedTask;
            _stopRequested = true;
            stop = _stop;
        }

        if (JobStateInfo.State == JobState.Running) SetJobState(JobState.Stopping);
        return WaitQuietly(stop(drain, reason));
    }

    /// <summary>Stops a service still running and releases what it holds.</summary>
    /// <param name="disposing">Whether this is called from Dispose().</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinishedState(JobStateInfo.State) && _stop is not null)
        {
            Stop(drain: false, "Remove-Job").GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private async Task WaitQuietly(Task stopping)
    {
        try
        {
            await stopping.ConfigureAwait(false);
        }
        catch (SdException)
        {
            // Reported by Finish as the job's error.
        }

        // The job's state changes after the service ends: wait for that too, so Stop-Job returns on a Stopped job.
        if (_running is { } running) await running.ContinueWith(_ => Finished.WaitOne(), TaskScheduler.Default).ConfigureAwait(false);
    }

    private void Finish(Task running)
    {
        _logWait?.Unregister(null);
        CopyLog();
        bool stopped;
        lock (_gate) stopped = _stopRequested;
        var failure = running.Exception?.GetBaseException();
        if (failure is PipelineStoppedException && stopped) failure = null;
        if (failure is not null)
        {
            AddError(failure switch
            {
                SdException sd => SdErrors.From(sd, Location),
                IContainsErrorRecord withRecord => withRecord.ErrorRecord,
                _ => new ErrorRecord(failure, "ServiceFailed", ErrorCategory.NotSpecified, Location),
            });
        }

        _resources?.Dispose();
        SetJobState(failure is not null && !stopped ? JobState.Failed : stopped ? JobState.Stopped : JobState.Completed);
    }

    private void CopyLog()
    {
        if (_log is not { } log) return;
        lock (log)
        {
            while (log.TryDequeue(out var entry))
            {
                if (entry.Level >= LogLevel.Warning) Warning.Add(new WarningRecord(entry.ToString()));
                else Verbose.Add(new VerboseRecord(entry.ToString()));
            }
        }
    }
}
