using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Runs a dispatcher whose handlers are scriptblocks: loads the handler table (or the .ps1 file that
/// returns one), builds the router from it (<see cref="ScriptRouter"/>), and runs every
/// <see cref="ScriptWork"/> the router queues on the thread of its <see cref="IScriptHandlerSite"/>,
/// the only one where PowerShell may run. <c>Start-SdDispatcher</c> runs it on its pipeline thread;
/// <c>Start-SdDispatcher -AsJob</c> on a thread and runspace of its own (<see cref="ScriptHandlerJob"/>).
/// </summary>
internal sealed class ScriptHandlerHost(IScriptHandlerSite site)
{
    private readonly Channel<ScriptWork> _queue = Channel.CreateUnbounded<ScriptWork>(new UnboundedChannelOptions { SingleReader = true });
    private volatile string _state = "starting";

    /// <summary>starting, running, stopping or stopped.</summary>
    public string State => _state;

    /// <summary>
    /// The router for a handler: null for a built-in one (a name), else one that queues work here for a
    /// handler table, for the table <paramref name="handlerFile"/> returns when given, or for none
    /// (every message to the site's output).
    /// </summary>
    /// <exception cref="HandlerException">The handler or its file is not usable.</exception>
    private SdMessageRouter? CreateRouter(object? handler, string? handlerFile)
    {
        if (handlerFile is null && handler is string) return null;
        var table = handlerFile is null ? AsTable(handler) : LoadHandlerFile(handlerFile);
        try
        {
            return ScriptRouter.Create(table, _queue.Writer);
        }
        catch (ArgumentException ex)
        {
            throw new HandlerException(new ErrorRecord(ex, "HandlerInvalid", ErrorCategory.InvalidArgument, handler ?? handlerFile));
        }
    }

    /// <summary>
    /// Builds the router for the handler, starts the dispatcher and runs the queued scriptblocks until
    /// it stops; Ctrl+C or Stop-Job (the site's token) closes its connections and ends with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="handler">A built-in handler name, a handler table, or null (every message to the site's output).</param>
    /// <param name="handlerFile">The full path of a .ps1 file that returns a handler table (run on the site), or null.</param>
    /// <param name="createOptions">The dispatcher's options, given its router (null for a built-in handler).</param>
    /// <param name="loggerFactory">The dispatcher's log.</param>
    /// <exception cref="HandlerException">The handler or its file is not usable.</exception>
    /// <exception cref="SdException">The dispatcher could not start, or failed.</exception>
    /// <exception cref="OperationCanceledException">The site's token was cancelled.</exception>
    public void Run(object? handler, string? handlerFile, Func<SdMessageRouter?, SdDispatcherOptions> createOptions, ILoggerFactory loggerFactory)
    {
        SdDispatcher dispatcher;
        try
        {
            var options = createOptions(CreateRouter(handler, handlerFile));
            dispatcher = Wait(SdDispatcher.StartAsync(options, loggerFactory, site.CancelToken));
        }
        catch
        {
            _state = "stopped";
            throw;
        }

        _state = "running";
        try
        {
            RunScripts(dispatcher.Completion);
        }
        finally
        {
            _state = "stopping";
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
            dispatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _state = "stopped";
        }
    }

    /// <summary>The handler table of a -Handler value (a hashtable, bare or wrapped in a PSObject); null for anything else.</summary>
    internal static IDictionary? TryGetTable(object? handler) => handler switch
    {
        IDictionary table => table,
        PSObject { BaseObject: IDictionary wrapped } => wrapped,
        _ => null,
    };

    private static IDictionary? AsTable(object? handler) => handler is null ? null : TryGetTable(handler) ?? throw new HandlerException(new ErrorRecord(
            new ArgumentException($"-Handler takes a built-in handler name or a hashtable of command to scriptblock, not a {handler.GetType().Name}"),
            "HandlerInvalid",
            ErrorCategory.InvalidArgument,
            handler));

    private IDictionary LoadHandlerFile(string path)
    {
        Collection<PSObject> output;
        try
        {
            output = site.InvokeFile(path);
        }
        catch (RuntimeException ex)
        {
            throw new HandlerException(new ErrorRecord(ex, "HandlerFileFailed", ErrorCategory.InvalidData, path));
        }

        if (output.Count != 1 || output[0]?.BaseObject is not IDictionary table)
        {
            throw new HandlerException(new ErrorRecord(
                new InvalidDataException($"the handler file '{path}' must output one hashtable of command to scriptblock, such as @{{ DAD = {{ param($m) $m.Reply('CLIMB') }} }}; it wrote {output.Count} object(s)"),
                "HandlerFileInvalid",
                ErrorCategory.InvalidData,
                path));
        }

        return table;
    }

    private T Wait<T>(Task<T> task)
    {
        site.Wait(task);
        return task.GetAwaiter().GetResult();
    }

    // Waits for work or the end of the dispatcher, and runs each piece of work on this thread.
    private void RunScripts(Task completion)
    {
        var reader = _queue.Reader;
        while (!completion.IsCompleted)
        {
            site.CancelToken.ThrowIfCancellationRequested();
            var ready = reader.WaitToReadAsync(site.CancelToken).AsTask();
            site.Wait(Task.WhenAny(ready, completion));
            while (reader.TryRead(out var work)) Run(work);
        }

        site.Wait(completion);
    }

    private void Run(ScriptWork work)
    {
        if (work.Script is null)
        {
            site.WriteObject(work.Message!);
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
                        site.WriteObject(item);
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

            site.WriteError(new ErrorRecord(ex, "HandlerFailed", ErrorCategory.NotSpecified, work.Message));
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
