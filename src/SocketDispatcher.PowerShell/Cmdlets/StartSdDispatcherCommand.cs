using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Runs a dispatcher in the foreground: takes connections from a listener's handoff socket.</para>
/// <para type="description">Connects to the handoff socket (waiting for it up to 10 s), terminates TLS
/// and runs the handler for each connection it is handed. Writes its log as Verbose and Warning
/// records. Ends when the listener sends EXIT or goes away, or on Ctrl+C (open connections are closed).</para>
/// </summary>
/// <example><code>Start-SdDispatcher -Handoff unix:/run/user/1000/sd/sd-4242/handoff.sock -Verbose</code></example>
[Cmdlet(VerbsLifecycle.Start, "SdDispatcher", DefaultParameterSetName = ForegroundSet)]
[OutputType(typeof(SdServiceJob), ParameterSetName = new[] { JobSet })]
public sealed class StartSdDispatcherCommand : SdCmdlet
{
    /// <summary>Run in the foreground.</summary>
    public const string ForegroundSet = "Foreground";

    /// <summary>Run as a job (-AsJob).</summary>
    public const string JobSet = "Job";

    /// <summary>The listener's handoff socket, unix:PATH.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint Handoff { get; set; } = null!;

    /// <summary>The handler to run: conversation, echo or greet. Default: conversation.</summary>
    [Parameter]
    [ValidateSet("conversation", "echo", "greet")]
    public string Handler { get; set; } = "conversation";

    /// <summary>Log every message in and out.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>
    /// Run the dispatcher as a background job of this session and return the job (an SdServiceJob) once
    /// it has joined its listener; Stop-Job stops it and closes its open connections.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = JobSet)]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Runs the dispatcher until it stops, or returns it as a job.</summary>
    protected override void ProcessRecord()
    {
        var options = new DispatcherOptions { Handoff = Handoff, Handler = Handler, Trace = TraceMessages };
        var loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        SdDispatcher dispatcher;
        try
        {
            dispatcher = Await(SdDispatcher.StartAsync(options, loggerFactory, CancelToken));
        }
        catch (SdException ex)
        {
            loggerFactory.Dispose();
            ThrowTerminatingError(SdErrors.From(ex, Handoff));
            return;
        }
        catch (OperationCanceledException)
        {
            loggerFactory.Dispose();
            return;
        }

        if (AsJob)
        {
            Log = null;
            var job = new SdServiceJob(MyInvocation.Line, "dispatcher-" + dispatcher.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "SdDispatcherJob", Handoff.ToString(), typeof(StartSdDispatcherCommand));
            job.Start(
                dispatcher.Completion,
                (_, _) => dispatcher.DisposeAsync().AsTask(),
                () => dispatcher.Completion.IsCompleted ? "stopped" : $"running, {dispatcher.OpenConnections} open",
                log,
                loggerFactory);
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }

        using var _ = loggerFactory;

        try
        {
            Await(dispatcher.Completion.WaitAsync(CancelToken));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the dispatcher closes its connections below.
            Log = null;
        }
        finally
        {
            dispatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
