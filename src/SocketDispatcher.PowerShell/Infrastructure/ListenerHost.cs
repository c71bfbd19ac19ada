using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// A listener run by <c>Start-SdListener</c>, with what it holds besides: its log (queued for the
/// Verbose and Warning streams) and its log file. In the foreground the cmdlet writes its handoffs;
/// as a job (<see cref="ISdJobService"/>) the handoffs go to the job's Output. <see cref="Dispose"/>
/// stops the listener if it still runs, then releases the log and the file.
/// </summary>
internal sealed class ListenerHost : ISdJobService
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly SdFileLoggerProvider? _file;
    private SdListener? _listener;

    /// <summary>Opens the log, and the log file when one is given (a full path).</summary>
    /// <exception cref="SdException">The log file cannot be opened.</exception>
    public ListenerHost(string? logFile)
    {
        _file = logFile is null ? null : new SdFileLoggerProvider(logFile);
        _loggerFactory = PipelineLog.CreateFactory(out var log, _file);
        Log = log;
    }

    /// <inheritdoc/>
    public PipelineLog Log { get; }

    /// <summary>The listener, once <see cref="StartAsync"/> has started it.</summary>
    public SdListener Listener => _listener ?? throw new InvalidOperationException("the listener has not been started");

    /// <inheritdoc/>
    public string State => Listener.State.ToString().ToLowerInvariant();

    /// <summary>Starts the listener, logging to this host's log and file.</summary>
    /// <exception cref="SdException">It could not start (an endpoint taken, a certificate unreadable...).</exception>
    public async Task StartAsync(SdListenerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LogFile = _file;
        _listener = await SdListener.StartAsync(options, _loggerFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many of the listener's dispatchers said HELLO.</summary>
    public int CountReadyDispatchers() => Listener.GetDispatchers().Count(d => d.State == SdDispatcherState.Ready);

    /// <summary>Stops the listener with a drain and waits; a failure was already reported through its Completion.</summary>
    public void Stop(string reason) => WaitQuietly(Listener.StopAsync(drain: true, reason));

    /// <inheritdoc/>
    public async Task RunAsync(SdServiceJob job)
    {
        await foreach (var handoff in Listener.Handoffs.ReadAllAsync().ConfigureAwait(false)) job.Output.Add(System.Management.Automation.PSObject.AsPSObject(handoff));
        await Listener.Completion.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task StopAsync(bool drain, string reason) => Listener.StopAsync(drain, reason);

    /// <summary>Disposes the listener, if started, and waits (its sockets, dispatchers, runtime directory); then releases the log and the log file.</summary>
    public void Dispose()
    {
        if (_listener is { } listener) WaitQuietly(listener.DisposeAsync().AsTask());
        _loggerFactory.Dispose();
        _file?.Dispose();
    }

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (SdException)
        {
            // Already reported through Completion, or the pipeline is stopping and cannot report it.
        }
    }
}
