using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Runs a dispatcher in the foreground: takes connections from a listener's handoff socket.</para>
/// <para type="description">Connects to the handoff socket (waiting for it up to 10 s), terminates TLS
/// and runs the handler for each connection it is handed. Writes its log as Verbose and Warning
/// records. Ends when the listener sends EXIT or goes away, or on Ctrl+C (open connections are closed).</para>
/// </summary>
/// <example><code>Start-SdDispatcher -Handoff unix:/run/user/1000/sd/sd-4242/handoff.sock -Verbose</code></example>
[Cmdlet(VerbsLifecycle.Start, "SdDispatcher")]
public sealed class StartSdDispatcherCommand : SdCmdlet
{
    /// <summary>The listener's handoff socket, unix:PATH.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    public SdEndpoint Handoff { get; set; } = null!;

    /// <summary>The handler to run: conversation, echo or greet. Default: conversation.</summary>
    [Parameter]
    [ValidateSet("conversation", "echo", "greet")]
    public string Handler { get; set; } = "conversation";

    /// <summary>Directories of message definitions (COMMAND.json, COMMAND.psd1) searched before the built-in ones.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DefinitionPath { get; set; }

    /// <summary>Log every message in and out.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>Runs the dispatcher until it stops.</summary>
    protected override void ProcessRecord()
    {
        var options = new DispatcherOptions { Handoff = Handoff, Handler = Handler, Trace = TraceMessages, DefinitionPath = ResolveDefinitionPath(DefinitionPath) };
        using var loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        SdDispatcher dispatcher;
        try
        {
            dispatcher = Await(SdDispatcher.StartAsync(options, loggerFactory, CancelToken));
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, Handoff));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

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
