using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Channels;

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
[Cmdlet(VerbsLifecycle.Start, "SdDispatcher", DefaultParameterSetName = HandlerSet)]
[OutputType(typeof(SdMessage), typeof(SdServiceJob), ParameterSetName = new[] { HandlerSet })]
[OutputType(typeof(object), typeof(SdServiceJob), ParameterSetName = new[] { HandlerFileSet })]
public sealed class StartSdDispatcherCommand : SdCmdlet
{
    /// <summary>A built-in handler name, a handler hashtable, or none (messages to the pipeline).</summary>
    public const string HandlerSet = "Handler";

    /// <summary>A .ps1 file that returns a handler hashtable.</summary>
    public const string HandlerFileSet = "HandlerFile";

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
    [ValidateNotNull]
    [ValidateHandler]
    [ArgumentCompleter(typeof(SdHandlerCompleter))]
    public object? Handler { get; set; }

    /// <summary>A .ps1 file whose output is a handler hashtable (as <c>sd listen --handler FILE.ps1</c> runs it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = HandlerFileSet)]
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
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Runs the dispatcher until it stops, or returns it as a job.</summary>
    protected override void ProcessRecord()
    {
        if (AsJob)
        {
            StartJob();
            return;
        }

        var queue = Channel.CreateUnbounded<ScriptWork>(new UnboundedChannelOptions { SingleReader = true });
        var options = new SdDispatcherOptions
        {
            Handoff = Handoff,
            Handler = Handler as string ?? "conversation",
            Router = Handler is string ? null : CreateRouter(queue.Writer),
            Trace = TraceMessages,
            DefinitionPath = ResolveDefinitionPath(DefinitionPath),
        };
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
            RunScripts(queue.Reader, dispatcher.Completion);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the dispatcher closes its connections below.
            Log = null;
        }
        finally
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
            dispatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void StartJob()
    {
        // Everything the job's runspace needs, as plain data: paths made absolute (its location is
        // the process's), and scriptblocks as text, re-created there.
        var parameters = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["Handoff"] = Handoff.ToString(),
            ["Verbose"] = true,
        };
        if (TraceMessages) parameters["TraceMessages"] = true;
        if (DefinitionPath is not null) parameters["DefinitionPath"] = DefinitionPath.Select(SessionState.Path.GetUnresolvedProviderPathFromPSPath).ToArray();
        if (ParameterSetName == HandlerFileSet) parameters["HandlerFile"] = ResolveExistingFile(HandlerFile, nameof(HandlerFile));
        else if (Handler is string name) parameters["Handler"] = name;
        else if ((Handler as IDictionary ?? (Handler as PSObject)?.BaseObject as IDictionary) is { } table)
        {
            var texts = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in table) texts[entry.Key] = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value)?.ToString();
            parameters["HandlerText"] = texts;
        }

        var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.NewRunspace);
        shell.AddScript(JobScript).AddArgument(MyInvocation.MyCommand.Module.Path).AddArgument(parameters);
        var job = new SdServiceJob(MyInvocation.Line, "dispatcher", "SdDispatcherJob", Handoff.ToString(), typeof(StartSdDispatcherCommand));
        shell.Streams.Error = job.Error;
        shell.Streams.Verbose = job.Verbose;
        shell.Streams.Warning = job.Warning;
        shell.Streams.Progress = job.Progress;
        var input = new PSDataCollection<PSObject>();
        input.Complete();
        var invocation = shell.BeginInvoke(input, job.Output);
        var running = Task.Factory.FromAsync(invocation, shell.EndInvoke);
        job.Start(
            running,
            (_, _) => Task.Factory.FromAsync(shell.BeginStop(null, null), shell.EndStop),
            () => shell.InvocationStateInfo.State.ToString(),
            log: null,
            shell);
        JobRepository.Add(job);
        WriteObject(job);
    }

    // Runs in the job's runspace: the same command, in the foreground there.
    private const string JobScript = """
        param([string] $ModulePath, [hashtable] $Parameters)
        Import-Module $ModulePath
        if ($Parameters.ContainsKey('HandlerText')) {
            $handler = @{}
            foreach ($key in $Parameters.HandlerText.Keys) { $handler[$key] = [scriptblock]::Create($Parameters.HandlerText[$key]) }
            $Parameters.Remove('HandlerText')
            $Parameters.Handler = $handler
        }
        # Rethrown, an error that ends the command fails the job instead of leaving it Completed.
        try { Start-SdDispatcher @Parameters } catch { throw }
        """;

    private SdMessageRouter CreateRouter(ChannelWriter<ScriptWork> queue)
    {
        var table = Handler is null ? null : Handler as IDictionary ?? (Handler is PSObject { BaseObject: IDictionary wrapped } ? wrapped : null);
        if (ParameterSetName == HandlerFileSet) table = LoadHandlerFile();
        else if (Handler is not null && table is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-Handler takes a built-in handler name or a hashtable of command to scriptblock, not a {Handler.GetType().Name}"),
                "HandlerInvalid",
                ErrorCategory.InvalidArgument,
                Handler));
        }

        try
        {
            return ScriptRouter.Create(table, queue);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "HandlerInvalid", ErrorCategory.InvalidArgument, Handler ?? HandlerFile));
            throw;
        }
    }

    private IDictionary LoadHandlerFile()
    {
        var path = ResolveExistingFile(HandlerFile, nameof(HandlerFile));
        Collection<PSObject> output;
        try
        {
            output = InvokeCommand.InvokeScript("& $args[0]", true, PipelineResultTypes.None, null, path);
        }
        catch (RuntimeException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "HandlerFileFailed", ErrorCategory.InvalidData, path));
            throw;
        }

        if (output.Count != 1 || output[0]?.BaseObject is not IDictionary table)
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidDataException($"the handler file '{path}' must output one hashtable of command to scriptblock, such as @{{ DAD = {{ param($m) $m.Reply('CLIMB') }} }}; it wrote {output.Count} object(s)"),
                "HandlerFileInvalid",
                ErrorCategory.InvalidData,
                path));
            throw new InvalidOperationException();
        }

        return table;
    }

    // The pipeline thread: waits for work or the end of the dispatcher (writing the log meanwhile),
    // and runs each piece of work here, where PowerShell may run.
    private void RunScripts(ChannelReader<ScriptWork> queue, Task completion)
    {
        while (!completion.IsCompleted)
        {
            CancelToken.ThrowIfCancellationRequested();
            var ready = queue.WaitToReadAsync(CancelToken).AsTask();
            Await(Task.WhenAny(ready, completion));
            while (queue.TryRead(out var work)) Run(work);
        }

        Await(completion);
    }

    private void Run(ScriptWork work)
    {
        if (work.Script is null)
        {
            WriteObject(work.Message);
            work.Done.TrySetResult([]);
            return;
        }

        var replies = new List<SdMessage>();
        try
        {
            // Any error stops the scriptblock ($ErrorActionPreference = 'Stop'), so that a bad parameter
            // read inside a string or a failed command never yields a half-made answer.
            var output = work.Script.InvokeWithContext(null, [new PSVariable("_", work.Message), new PSVariable("ErrorActionPreference", ActionPreference.Stop)], work.Message);
            foreach (var item in output)
            {
                switch (item?.BaseObject)
                {
                    case null:
                        break;
                    case SdMessage reply:
                        replies.Add(reply);
                        break;
                    case string line:
                        replies.Add(SdMessage.Parse(line));
                        break;
                    default:
                        WriteObject(item);
                        break;
                }
            }

            work.Done.TrySetResult(replies);
        }
        catch (Exception ex) when (ex is RuntimeException or SdMessageFormatException)
        {
            // A bad parameter read by the script (SdException InvalidArgument) is answered INVALID by the router.
            if (FindSdException(ex) is { Kind: SdErrorKind.InvalidArgument } bad)
            {
                work.Done.TrySetException(bad);
                return;
            }

            WriteError(new ErrorRecord(ex, "HandlerFailed", ErrorCategory.NotSpecified, work.Message));
            work.Done.TrySetResult(replies);
        }
    }

    private static SdException? FindSdException(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SdException sd) return sd;
        }

        return null;
    }
}
