using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Lists running listeners with their counters and dispatchers.</para>
/// <para type="description">Without -Control: the listeners started in this process, and every
/// listener found by its control socket under the default runtime base. With -Control: the listener
/// behind each control endpoint, asked for STATUS.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SdListener", DefaultParameterSetName = AllSet)]
[OutputType(typeof(SdListenerInfo), ParameterSetName = new[] { AllSet, ControlSet })]
public sealed class GetSdListenerCommand : SdCmdlet
{
    /// <summary>This process's listeners and those found under the default runtime base.</summary>
    public const string AllSet = "All";

    /// <summary>The listeners behind the given control endpoints.</summary>
    public const string ControlSet = "Control";

    /// <summary>Only the listeners whose name matches one of these wildcard patterns.</summary>
    [Parameter(Position = 0, ParameterSetName = AllSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SdListenerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Control endpoints to ask for STATUS: unix:PATH, tcp:// or udp://.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ControlSet, ValueFromPipelineByPropertyName = true)]
    [SdEndpointTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint[] Control { get; set; } = null!;

    /// <summary>The shared secret of tcp:// and udp:// control endpoints (the listener's -SecretCode).</summary>
    [Parameter(ParameterSetName = ControlSet)]
    [ValidateNotNullOrEmpty]
    public string? SecretCode { get; set; }

    /// <summary>How long each listener may take to answer (<c>2s</c>, <c>500ms</c>). Default: 5 s.</summary>
    [Parameter]
    [SdDurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Writes the listeners.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ControlSet)
        {
            foreach (var control in Control)
            {
                if (Query(control, reportFailure: true) is { } info) WriteObject(info);
            }

            return;
        }

        var found = new List<SdListenerInfo>();
        foreach (var listener in SdListenerRegistry.Listeners) found.Add(SdListenerInfo.Of(listener));
        foreach (var control in SdListenerInfo.FindControlSockets())
        {
            if (SdListenerRegistry.Owns(control)) continue;
            if (Query(control, reportFailure: false) is { } info) found.Add(info);
        }

        WriteMatches(found);
    }

    private void WriteMatches(List<SdListenerInfo> found)
    {
        if (Name is null)
        {
            WriteObject(found, enumerateCollection: true);
            return;
        }

        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = found.Where(l => pattern.IsMatch(l.Name)).ToArray();
            WriteObject(matches, enumerateCollection: true);
            if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"there is no running listener named '{name}'; Get-SdListener lists them, and -Control reaches one whose runtime directory is elsewhere"),
                    "ListenerNotFound",
                    ErrorCategory.ObjectNotFound,
                    name));
            }
        }
    }

    private SdListenerInfo? Query(SdEndpoint control, bool reportFailure)
    {
        try
        {
            return Await(SdListenerInfo.QueryAsync(control, new SdSignalOptions { Timeout = Timeout, SecretCode = SecretCode }, CancelToken));
        }
        catch (SdException ex) when (reportFailure)
        {
            WriteError(SdErrors.From(ex, control));
        }
        catch (SdException ex)
        {
            // A control socket left behind by a listener that was killed: not a running listener.
            WriteVerbose($"{control}: no listener answers ({ex.Message})");
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C.
        }

        return null;
    }
}
