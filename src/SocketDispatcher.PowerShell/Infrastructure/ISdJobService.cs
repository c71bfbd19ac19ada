namespace SocketDispatcher.PowerShell;

/// <summary>
/// A service an <see cref="SdServiceJob"/> runs: the listener of <c>Start-SdListener -AsJob</c>
/// (<see cref="ListenerHost"/>) or the dispatcher of <c>Start-SdDispatcher -AsJob</c>
/// (<see cref="ScriptHandlerJob"/>). The job starts, watches and stops both the same way, and
/// disposes the service once it has stopped.
/// </summary>
internal interface ISdJobService : IDisposable
{
    /// <summary>The service's own state, for the job's StatusMessage.</summary>
    string State { get; }

    /// <summary>The log the job copies into its Verbose and Warning streams.</summary>
    PipelineLog Log { get; }

    /// <summary>Runs the service for <paramref name="job"/>: completes when it has stopped (faults when it failed), writing to the job's Output and Error meanwhile.</summary>
    Task RunAsync(SdServiceJob job);

    /// <summary>Asks the service to stop, with a drain or not, and why; completes when it has.</summary>
    Task StopAsync(bool drain, string reason);
}
