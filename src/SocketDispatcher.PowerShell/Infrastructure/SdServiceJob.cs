using System.Management.Automation;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The job <c>Start-SdListener -AsJob</c> and <c>Start-SdDispatcher -AsJob</c> return, started the
/// same way by both (<see cref="Start"/> with an <see cref="ISdJobService"/>): the service runs in this
/// process (a listener holds no thread, Core being asynchronous; a script-handler dispatcher holds one
/// thread and runspace for its scriptblocks), its objects go to the job's Output, its log to Verbose
/// and Warning, and a failure to Error. <c>Stop-Job</c> stops it (a listener as QUIT does, letting open
/// conversations drain; a dispatcher as Ctrl+C does) and returns once it is gone; <c>Remove-Job</c>
/// releases it. The model is PowerShell/ThreadJob: a <see cref="Job"/> registered in the session's
/// job repository, so Get-Job, Wait-Job and Receive-Job -Wait treat it like any other.
/// </summary>
public sealed class SdServiceJob : Job
{
    private readonly object _gate = new();
    private readonly string _location;
    private readonly string _errorSuffix;
    private ISdJobService? _service;
    private RegisteredWaitHandle? _logWait;
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
    public override string StatusMessage => _service?.State ?? JobStateInfo.State.ToString();

    /// <summary>Whether Receive-Job has anything left to take.</summary>
    public override bool HasMoreData
        => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Progress.Count > 0 || Debug.Count > 0 || Information.Count > 0;

    /// <summary>
    /// Stops the service with a drain and waits until it has stopped (up to its drain timeout);
    /// the job ends Stopped. What Stop-Job and Remove-Job -Force call.
    /// </summary>
    public override void StopJob() => Stop(drain: true, "Stop-Job").GetAwaiter().GetResult();

    /// <summary>
    /// Runs <paramref name="service"/> as this job: copies its log into Verbose and Warning, has it
    /// write its objects to Output, and disposes it once it has stopped. Both Start- cmdlets start
    /// their job this way, then register and write it.
    /// </summary>
    internal void Start(ISdJobService service)
    {
        _service = service;
        _logWait = ThreadPool.RegisterWaitForSingleObject(service.Log.Signal, (_, _) => CopyLog(), null, Timeout.Infinite, executeOnlyOnce: false);
        SetJobState(JobState.Running);
        var running = service.RunAsync(this);
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
        ISdJobService? service;
        lock (_gate)
        {
            if (IsFinishedState(JobStateInfo.State) || _service is null) return Task.CompletedTask;
            _stopRequested = true;
            service = _service;
        }

        if (JobStateInfo.State == JobState.Running) SetJobState(JobState.Stopping);
        return WaitQuietly(service.StopAsync(drain, reason));
    }

    /// <summary>Stops a service still running and releases what it holds.</summary>
    /// <param name="disposing">Whether this is called from Dispose().</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinishedState(JobStateInfo.State) && _service is not null)
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
        // Wait for a log copy in flight: once the job has ended, Remove-Job closes its streams, and a
        // late copy into a closed stream would throw on a thread-pool thread.
        if (_logWait is { } logWait)
        {
            using var unregistered = new ManualResetEvent(false);
            if (logWait.Unregister(unregistered)) unregistered.WaitOne();
        }

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

        _service?.Dispose();
        SetJobState(failure is not null && !stopped ? JobState.Failed : stopped ? JobState.Stopped : JobState.Completed);
    }

    private void CopyLog()
    {
        if (_service?.Log is not { } log) return;
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
