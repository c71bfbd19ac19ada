using System.Globalization;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Stops a listener: QUIT (drain open conversations) or, with -NoDrain, STOP.</para>
/// <para type="description">A listener of this process is stopped directly; another one through its
/// control endpoint. -Wait waits until it is gone, showing the drain's progress.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "SdListener", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(SdListenerInfo), ParameterSetName = new[] { InputObjectSet, NameSet, ControlSet })]
public sealed class StopSdListenerCommand : SdCmdlet
{
    /// <summary>Listeners from Get-SdListener.</summary>
    public const string InputObjectSet = "InputObject";

    /// <summary>Listeners by name, as Get-SdListener finds them.</summary>
    public const string NameSet = "Name";

    /// <summary>The listener behind a control endpoint.</summary>
    public const string ControlSet = "Control";

    /// <summary>The listeners to stop, from Get-SdListener.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public SdListenerInfo[] InputObject { get; set; } = null!;

    /// <summary>The names of the listeners to stop (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SdListenerNameCompleter))]
    public string[] Name { get; set; } = null!;

    /// <summary>The control endpoint of the listener to stop.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ControlSet)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint Control { get; set; } = null!;

    /// <summary>Send STOP instead of QUIT: close open conversations now instead of letting them finish.</summary>
    [Parameter]
    public SwitchParameter NoDrain { get; set; }

    /// <summary>Wait until the listener has stopped (its drain included), showing progress.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait, how long to wait; also how long a control endpoint may take to answer (<c>60s</c>). Default: 60 s.</summary>
    [Parameter]
    [SdDurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The shared secret of a tcp:// or udp:// control endpoint (the listener's -SecretCode).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretCode { get; set; }

    /// <summary>Write the listener's last snapshot, taken before it was asked to stop.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Stops each listener given.</summary>
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case InputObjectSet:
                foreach (var listener in InputObject) Stop(listener);
                break;
            case ControlSet:
                if (Query(Control) is { } info) Stop(info);
                break;
            default:
                foreach (var listener in Find()) Stop(listener);
                break;
        }
    }

    private IEnumerable<SdListenerInfo> Find()
    {
        var found = SdListenerRegistry.Listeners.Select(SdListenerInfo.Of).ToList();
        foreach (var control in SdListenerInfo.FindControlSockets())
        {
            if (SdListenerRegistry.Owns(control)) continue;
            try
            {
                found.Add(Await(SdListenerInfo.QueryAsync(control, Signal(), CancelToken)));
            }
            catch (SdException ex)
            {
                WriteVerbose($"{control}: no listener answers ({ex.Message})");
            }
        }

        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = found.Where(l => pattern.IsMatch(l.Name)).ToArray();
            if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"there is no running listener named '{name}'; Get-SdListener lists them, and -Control reaches one whose runtime directory is elsewhere"),
                    "ListenerNotFound",
                    ErrorCategory.ObjectNotFound,
                    name));
            }

            foreach (var match in matches) yield return match;
        }
    }

    private void Stop(SdListenerInfo info)
    {
        var how = NoDrain ? "STOP: close open conversations now" : "QUIT: stop accepting and let open conversations finish";
        if (!ShouldProcess(info.ToString(), how)) return;
        if (PassThru) WriteObject(info);
        var command = NoDrain ? "STOP" : "QUIT";
        try
        {
            if (SdListenerRegistry.Find(info) is { } local)
            {
                var stopped = SdListenerRegistry.StopAsync(local, !NoDrain, $"Stop-SdListener ({command})");
                if (Wait) WaitForStop(info, () => stopped.IsCompleted ? null : SdListenerInfo.Of(local));
                return;
            }

            if (info.Control is not { } control)
            {
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"{info}: it reports no control endpoint to send {command} to; stop it with kill -TERM {info.ProcessId}"),
                    "ControlMissing",
                    ErrorCategory.InvalidOperation,
                    info));
                return;
            }

            Await(SdSignal.SendAsync(control, new SdMessage(command), Signal(), null, CancelToken));
            if (Wait) WaitForStop(info, () => Gone(control));
        }
        catch (SdException ex)
        {
            // This listener cannot be reached or did not stop in time; the others are still stopped.
            WriteError(SdErrors.From(ex, info));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the listener goes on stopping; we just stop waiting.
        }
    }

    /// <summary>Polls <paramref name="poll"/> (null once stopped), showing the open connections, until the listener is gone.</summary>
    private void WaitForStop(SdListenerInfo info, Func<SdListenerInfo?> poll)
    {
        var progress = new ProgressRecord(2, $"Stopping listener {info.Name} (pid {info.ProcessId})", "Draining");
        var deadline = DateTime.UtcNow + Timeout;
        try
        {
            while (poll() is { } now)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new SdException(SdErrorKind.Timeout, "StopTimeout", string.Format(CultureInfo.InvariantCulture,
                        "{0}: still {1} after {2:0.#} s; wait longer (-Timeout), or send STOP (-NoDrain) to cut the drain short",
                        info, now.State.ToString().ToLowerInvariant(), Timeout.TotalSeconds));
                }

                var open = now.Dispatchers.Sum(d => d.Open + d.Pending);
                progress.StatusDescription = $"{now.State.ToString().ToLowerInvariant()}: {now.Dispatchers.Count} dispatcher(s), {open} open connection(s)";
                WriteProgress(progress);
                Await(Task.Delay(100, CancelToken));
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    /// <summary>The listener's snapshot while its control endpoint still answers; null once it is gone.</summary>
    private SdListenerInfo? Gone(SdEndpoint control)
    {
        try
        {
            return Await(SdListenerInfo.QueryAsync(control, Signal(TimeSpan.FromSeconds(2)), CancelToken));
        }
        catch (SdException ex) when (ex.Kind is SdErrorKind.ConnectionError or SdErrorKind.NotFound)
        {
            return null;
        }
    }

    private SdListenerInfo? Query(SdEndpoint control)
    {
        try
        {
            return Await(SdListenerInfo.QueryAsync(control, Signal(), CancelToken));
        }
        catch (SdException ex)
        {
            // The one listener asked for cannot be reached: the request as a whole cannot proceed.
            ThrowTerminatingError(SdErrors.From(ex, control));
            return null;
        }
    }

    private SdSignalOptions Signal(TimeSpan? timeout = null) => new() { Timeout = timeout ?? Timeout, SecretCode = SecretCode, WaitForReply = false };
}
