using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Runs a dispatcher in the foreground: takes connections from a listener's handoff socket.</para>
/// <para type="description">Connects to the handoff socket (waiting for it up to 10 s), terminates TLS
/// and runs a handler for each connection it is handed: a built-in one by name, a hashtable of
/// command to scriptblock (-Handler @{ DAD = { param($m) $m.Reply('CLIMB') }; '*' = { ... } }), or a
/// .ps1 file that returns such a hashtable (-HandlerFile). A key is a command, a regular expression
/// matched against the whole command, or '*' for every other command. A scriptblock gets the
/// SdMessage as its parameter and as $_; the SdMessage objects (or message lines) it outputs are sent
/// back on that connection, anything else goes to the pipeline. With -Handler omitted and no
/// -HandlerFile, every message is written to the pipeline, and the script answers it with
/// Send-SdMessage -ReplyTo. Scriptblocks run one at a time on this pipeline's thread, with
/// $ErrorActionPreference = 'Stop': an error ends the scriptblock, a bad parameter read with the
/// SdMessage getters is answered INVALID, and any other error is written as HandlerFailed. Writes its log
/// as Verbose and Warning records. Ends when the listener sends EXIT or goes away, or on Ctrl+C
/// (open connections are closed).</para>
/// </summary>
/// <example><code>Start-SdDispatcher -Handoff unix:/run/user/1000/sd/sd-4242/handoff.sock -Handler conversation -Verbose</code></example>
/// <example><code>Start-SdDispatcher unix:/run/sd/x/handoff.sock -Handler @{ DAD = { param($m) $m.Reply('CLIMB') }; '*' = { param($m) $m.Reply('WHAT') } }</code></example>
/// <example><code>Start-SdDispatcher unix:/run/sd/x/handoff.sock | ForEach-Object { Send-SdMessage -ReplyTo $_ -Command ECHOED }</code></example>
/// <remarks>The handler runs in <see cref="ScriptHandlerHost"/>: here on the pipeline thread, with -AsJob on a thread and runspace of the job's own (<see cref="ScriptHandlerJob"/>).</remarks>
[Cmdlet(VerbsLifecycle.Start, "SdDispatcher", DefaultParameterSetName = HandlerSet)]
[OutputType(typeof(SdMessage), ParameterSetName = new[] { HandlerSet })]
[OutputType(typeof(object), ParameterSetName = new[] { HandlerFileSet })]
[OutputType(typeof(SdServiceJob), ParameterSetName = new[] { HandlerJobSet, HandlerFileJobSet })]
public sealed class StartSdDispatcherCommand : SdCmdlet, IScriptHandlerSite
{
    /// <summary>In the foreground: a built-in handler name, a handler hashtable, or none (messages to the pipeline).</summary>
    public const string HandlerSet = "Handler";

    /// <summary>In the foreground: a .ps1 file that returns a handler hashtable.</summary>
    public const string HandlerFileSet = "HandlerFile";

    /// <summary>As a job (-AsJob): a built-in handler name, a handler hashtable, or none.</summary>
    public const string HandlerJobSet = "HandlerAsJob";

    /// <summary>As a job (-AsJob): a .ps1 file that returns a handler hashtable.</summary>
    public const string HandlerFileJobSet = "HandlerFileAsJob";

    /// <summary>The listener's handoff socket, unix:PATH.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint Handoff { get; set; } = null!;

    /// <summary>
    /// A built-in handler (conversation, echo or greet), or a hashtable of command, regular
    /// expression or '*' to scriptblock. Default: none, which writes every message to the pipeline.
    /// </summary>
    [Parameter(Position = 1, ParameterSetName = HandlerSet)]
    [Parameter(Position = 1, ParameterSetName = HandlerJobSet)]
    [ValidateNotNull]
    [ValidateHandler]
    [ArgumentCompleter(typeof(SdHandlerCompleter))]
    public object? Handler { get; set; }

    /// <summary>A .ps1 file whose output is a handler hashtable (as <c>sd listen --handler FILE.ps1</c> runs it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = HandlerFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = HandlerFileJobSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdHandlerCompleter))]
    public string HandlerFile { get; set; } = null!;

    /// <summary>Directories of message definitions (COMMAND.json, COMMAND.psd1) searched before the built-in ones.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DefinitionPath { get; set; }

    /// <summary>Log every message in and out.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>
    /// Run the dispatcher as a background job of this session, on a thread and runspace of its own (as
    /// Start-ThreadJob does), and return the job (an SdServiceJob): its output is what the dispatcher
    /// writes, Stop-Job stops it as Ctrl+C does. Scriptblocks of -Handler are re-created from their
    /// text in the job's runspace, so they cannot use this session's variables.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = HandlerJobSet)]
    [Parameter(Mandatory = true, ParameterSetName = HandlerFileJobSet)]
    public SwitchParameter AsJob { get; set; }

    CancellationToken IScriptHandlerSite.CancelToken => CancelToken;

    /// <summary>Runs the dispatcher until it stops, or returns it as a job.</summary>
    protected override void ProcessRecord()
    {
        var handlerFile = ParameterSetName is HandlerFileSet or HandlerFileJobSet ? ResolveExistingFile(HandlerFile, nameof(HandlerFile)) : null;
        var handoff = Handoff;
        var trace = TraceMessages.IsPresent;
        var definitionPath = ResolveDefinitionPath(DefinitionPath);
        var builtIn = Handler as string ?? "conversation";
        SdDispatcherOptions CreateOptions(SdMessageRouter? router)
            => new() { Handoff = handoff, Handler = builtIn, Router = router, Trace = trace, DefinitionPath = definitionPath };

        if (AsJob)
        {
            var service = new ScriptHandlerJob(MyInvocation.MyCommand.Module.Path, Handler, handlerFile, CreateOptions);
            WriteJob(new SdServiceJob(MyInvocation.Line, "dispatcher", "SdDispatcherJob", Handoff.ToString(), typeof(StartSdDispatcherCommand)), service);
            return;
        }

        using var loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        try
        {
            new ScriptHandlerHost(this).Run(Handler, handlerFile, CreateOptions, loggerFactory);
        }
        catch (HandlerException ex)
        {
            ThrowTerminatingError(ex.ErrorRecord);
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, Handoff));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the dispatcher has closed its connections; nothing can be written any more.
            Log = null;
        }
    }

    void IScriptHandlerSite.Wait(Task task) => Await(task);

    Collection<PSObject> IScriptHandlerSite.InvokeFile(string path)
        => InvokeCommand.InvokeScript("& $args[0]", true, PipelineResultTypes.None, null, path);

    void IScriptHandlerSite.WriteObject(object item) => WriteObject(item);

    void IScriptHandlerSite.WriteError(ErrorRecord record) => WriteError(record);
}
