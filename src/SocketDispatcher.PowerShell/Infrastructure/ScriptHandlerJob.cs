using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The dispatcher of <c>Start-SdDispatcher -AsJob</c>: a <see cref="ScriptHandlerHost"/> on a thread
/// and runspace of its own (as Start-ThreadJob runs a script), which imports the module and writes to
/// the job's streams. A scriptblock runs in the runspace its session state belongs to, so the handler
/// table's scriptblocks are re-created from their text there, and a handler file runs there too.
/// Stop-Job cancels it as Ctrl+C cancels the foreground command.
/// </summary>
internal sealed class ScriptHandlerJob : ISdJobService, IScriptHandlerSite
{
    private readonly string _modulePath;
    private readonly Func<SdMessageRouter?, SdDispatcherOptions> _createOptions;
    private readonly object? _handler;
    private readonly string? _handlerFile;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ScriptHandlerHost _host;
    private TaskCompletionSource? _done;
    private SdServiceJob? _job;
    private Runspace? _runspace;

    /// <param name="modulePath">The module the job's runspace imports, for the cmdlets the scriptblocks call.</param>
    /// <param name="handler">A built-in handler name, a handler table, or null.</param>
    /// <param name="handlerFile">The full path of a handler file, or null.</param>
    /// <param name="createOptions">The dispatcher's options, given its router (made in the job's runspace).</param>
    public ScriptHandlerJob(string modulePath, object? handler, string? handlerFile, Func<SdMessageRouter?, SdDispatcherOptions> createOptions)
    {
        _modulePath = modulePath;
        _createOptions = createOptions;
        _handler = ScriptHandlerHost.TryGetTable(handler) is { } table ? AsText(table) : handler;
        _handlerFile = handlerFile;
        _loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        _host = new ScriptHandlerHost(this);
    }

    /// <inheritdoc/>
    public string State => _host.State;

    /// <inheritdoc/>
    public PipelineLog Log { get; }

    /// <inheritdoc/>
    public CancellationToken CancelToken => _stop.Token;

    /// <inheritdoc/>
    public Task RunAsync(SdServiceJob job)
    {
        _job = job;
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(Run) { IsBackground = true, Name = $"SdDispatcherJob {job.Id}" };
        thread.Start();
        return _done.Task;
    }

    /// <summary>Cancels the dispatcher whether or not it drains (it closes its connections, as on Ctrl+C), and completes once it has stopped.</summary>
    public Task StopAsync(bool drain, string reason)
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped and released already: the job is about to say so.
        }

        return _done?.Task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default) ?? Task.CompletedTask;
    }

    /// <summary>Releases the logger factory and the cancellation source once the dispatcher has stopped.</summary>
    public void Dispose()
    {
        _loggerFactory.Dispose();
        _stop.Dispose();
    }

    void IScriptHandlerSite.Wait(Task task) => task.GetAwaiter().GetResult();

    Collection<PSObject> IScriptHandlerSite.InvokeFile(string path)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = _runspace;
        var output = shell.AddCommand(path).Invoke();
        foreach (var error in shell.Streams.Error) _job!.AddError(error);
        return output;
    }

    void IScriptHandlerSite.WriteObject(object item) => _job!.Output.Add(PSObject.AsPSObject(item));

    void IScriptHandlerSite.WriteError(ErrorRecord record) => _job!.AddError(record);

    // Scriptblocks as text: a scriptblock is bound to the session state it was made in, and would be
    // run there (in the caller's runspace, busy or gone), not in the job's.
    private static Hashtable AsText(IDictionary table)
    {
        var texts = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in table)
        {
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            texts[entry.Key] = value is ScriptBlock script ? script.ToString() : value;
        }

        return texts;
    }

    private static Hashtable? FromText(object? handler)
    {
        if (handler is not Hashtable texts) return null;
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in texts) table[entry.Key] = entry.Value is string text ? ScriptBlock.Create(text) : entry.Value;
        return table;
    }

    private void Run()
    {
        Exception? failure = null;
        try
        {
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule([_modulePath]);
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
            Runspace.DefaultRunspace = _runspace;
            _host.Run(FromText(_handler) ?? _handler, _handlerFile, _createOptions, _loggerFactory);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            Runspace.DefaultRunspace = null;
            _runspace?.Dispose();
        }

        // Only now, with the runspace gone: Stop-Job and Wait-Job return once the job says it ended.
        if (failure is null) _done!.TrySetResult();
        else if (failure is OperationCanceledException) _done!.TrySetCanceled();
        else _done!.TrySetException(failure);
    }
}
