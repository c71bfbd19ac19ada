using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Runs a listener in the foreground: accepts connections and hands each to a dispatcher.</para>
/// <para type="description">Writes an SdHandoff for each connection handed to a dispatcher, and the
/// listener's log as Verbose and Warning records. Ends when the listener stops (QUIT or STOP on a
/// control endpoint) or on Ctrl+C, which stops it and lets open conversations finish.</para>
/// </summary>
/// <example><code>Start-SdListener -Endpoint tcp://127.0.0.1:3001 -Control tcp://127.0.0.1:3002 -Verbose</code></example>
[Cmdlet(VerbsLifecycle.Start, "SdListener", DefaultParameterSetName = ForegroundSet)]
[OutputType(typeof(SdHandoff), ParameterSetName = new[] { ForegroundSet })]
[OutputType(typeof(SdServiceJob), ParameterSetName = new[] { JobSet })]
public sealed class StartSdListenerCommand : SdCmdlet
{
    /// <summary>Run in the foreground, writing handoffs.</summary>
    public const string ForegroundSet = "Foreground";

    /// <summary>Run as a job (-AsJob).</summary>
    public const string JobSet = "Job";

    /// <summary>The endpoints to accept connections on: tcp://, tls:// or unix:.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint[] Endpoint { get; set; } = null!;

    /// <summary>How many dispatcher processes to spawn; 0 waits for dispatchers started by hand. Default: 2.</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int Dispatchers { get; set; } = 2;

    /// <summary>The handler the dispatchers run: conversation, echo, greet, or a .ps1 file returning a hashtable of command to scriptblock (run by pwsh dispatchers). Default: conversation.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdHandlerCompleter))]
    public string Handler { get; set; } = "conversation";

    /// <summary>The server certificate (PEM) for tls:// endpoints, with <see cref="Key"/> or holding its private key too.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Certificate { get; set; }

    /// <summary>The server certificate's PEM private key; default: read from the <see cref="Certificate"/> file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Key { get; set; }

    /// <summary>A PEM CA certificate: clients must present a certificate it issued (mutual TLS).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientCertificateAuthority { get; set; }

    /// <summary>
    /// Control endpoints taking QUIT, STOP, LOG/LOG_ROTATE, STATUS, HELP, ALIVE: unix:PATH (same uid or
    /// root only), tcp:// or udp:// (loopback only unless -ControlAllowRemote; they need -SecretCode).
    /// Default: unix:RUNDIR/control.sock.
    /// </summary>
    [Parameter]
    [SdEndpointTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint[]? Control { get; set; }

    /// <summary>The shared secret messages to tcp:// and udp:// control endpoints must carry as secret_code; others are logged and not answered.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretCode { get; set; }

    /// <summary>Let tcp:// and udp:// control endpoints bind to addresses other than loopback.</summary>
    [Parameter]
    public SwitchParameter ControlAllowRemote { get; set; }

    /// <summary>
    /// Also log to this file; LOG on a control endpoint reopens it (logrotate postrotate). Spawned
    /// dispatchers log to NAME.dispatcher-PID.EXT next to it.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogFile { get; set; }

    /// <summary>The listener's name, which names its runtime directory. Default: sd-PID.</summary>
    [Parameter]
    [ValidatePattern("^[A-Za-z0-9_.-]+$")]
    public string? Name { get; set; }

    /// <summary>The runtime directory for the handoff and control sockets.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RuntimeDirectory { get; set; }

    /// <summary>The longest message line accepted, in bytes; a longer one is answered INVALID and its connection closed. Default: 65,536.</summary>
    [Parameter]
    [ValidateRange(16, int.MaxValue)]
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>Directories of message definitions (COMMAND.json, COMMAND.psd1) the dispatchers search before the built-in ones.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? DefinitionPath { get; set; }

    /// <summary>Log every message in and out, in the listener and its dispatchers.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>
    /// Run the listener as a background job of this session and return the job (an SdServiceJob) once
    /// its dispatchers are ready: Receive-Job gives its SdHandoff objects, Stop-Job stops it with a drain.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = JobSet)]
    public SwitchParameter AsJob { get; set; }

    /// <summary>Starts the listener and streams its handoffs until it stops, or returns it as a job.</summary>
    protected override void ProcessRecord()
    {
        var options = CreateOptions();
        ListenerHost host;
        try
        {
            host = new ListenerHost(LogFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogFile));
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, LogFile));
            return;
        }

        Log = host.Log;
        try
        {
            Await(host.StartAsync(options, CancelToken));
        }
        catch (SdException ex)
        {
            host.Dispose();
            ThrowTerminatingError(SdErrors.From(ex, Endpoint));
            return;
        }
        catch (OperationCanceledException)
        {
            host.Dispose();
            return;
        }

        if (ParameterSetName == JobSet) StartJob(host);
        else RunInForeground(host);
    }

    private void RunInForeground(ListenerHost host)
    {
        using var _ = host;
        var listener = host.Listener;
        SdListenerRegistry.Add(listener, job: null);
        try
        {
            while (Await(listener.Handoffs.WaitToReadAsync(CancelToken).AsTask()))
            {
                while (listener.Handoffs.TryRead(out var handoff)) WriteObject(handoff);
            }

            Await(listener.Completion);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop as QUIT does; nothing can be written any more, so wait without pumping.
            Log = null;
            host.Stop("Ctrl+C in Start-SdListener");
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, listener.Name));
        }
    }

    private void StartJob(ListenerHost host)
    {
        var listener = host.Listener;
        var job = new SdServiceJob(MyInvocation.Line, listener.Name, "SdListenerJob", string.Join(' ', listener.Endpoints), typeof(StartSdListenerCommand));
        SdListenerRegistry.Add(listener, job);

        // The log stays queued for the job from here on, so that its Verbose stream has it all.
        Log = null;
        try
        {
            WaitForDispatchers(host);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C while the dispatchers start: nothing was returned, so nothing may keep running.
            host.Dispose();
            return;
        }

        WriteJob(job, host);
    }

    /// <summary>Shows progress until every spawned dispatcher said HELLO (bounded: a crash loop ends the listener).</summary>
    private void WaitForDispatchers(ListenerHost host)
    {
        if (Dispatchers == 0) return;
        var progress = new ProgressRecord(1, $"Starting listener {host.Listener.Name}", "Waiting for dispatchers");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!host.Listener.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            var ready = host.CountReadyDispatchers();
            if (ready >= Dispatchers) break;
            progress.StatusDescription = $"{ready} of {Dispatchers} dispatchers ready";
            progress.PercentComplete = 100 * ready / Dispatchers;
            WriteProgress(progress);
            Await(Task.Delay(50, CancelToken));
        }

        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        if (DateTime.UtcNow >= deadline)
        {
            WriteWarning($"{host.Listener.Name}: not every dispatcher was ready within 30 s; the job runs, and connections wait until one is (see its log: Receive-Job -Verbose)");
        }
    }

    private SdListenerOptions CreateOptions()
    {
        // Core's rule first (a key or client CA needs a certificate), then the paths, relative to the PowerShell location.
        SdTlsServerOptions? given = null;
        try
        {
            given = SdTlsServerOptions.FromFiles(Certificate, Key, ClientCertificateAuthority);
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, Key ?? ClientCertificateAuthority));
        }

        var tls = given is null ? null : new SdTlsServerOptions
        {
            CertificatePath = ResolveExistingFile(given.CertificatePath, nameof(Certificate)),
            KeyPath = given.KeyPath is null ? null : ResolveExistingFile(given.KeyPath, nameof(Key)),
            ClientCertificateAuthorityPath = given.ClientCertificateAuthorityPath is null ? null : ResolveExistingFile(given.ClientCertificateAuthorityPath, nameof(ClientCertificateAuthority)),
        };

        var options = new SdListenerOptions
        {
            Dispatchers = Dispatchers,
            // The dispatchers' log joins the listener's Verbose and Warning records instead of the console.
            CaptureDispatcherOutput = true,
            Handler = Handler.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) ? ResolveExistingFile(Handler, nameof(Handler)) : Handler,
            Name = Name,
            RuntimeDirectory = RuntimeDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RuntimeDirectory),
            Trace = TraceMessages,
            SecretCode = SecretCode,
            ControlAllowRemote = ControlAllowRemote,
            DefinitionPath = ResolveDefinitionPath(DefinitionPath),
            MaxLineBytes = MaxLineBytes,
            Tls = tls,
        };
        foreach (var endpoint in Endpoint) options.Endpoints.Add(endpoint);
        foreach (var endpoint in Control ?? []) options.ControlEndpoints.Add(endpoint);
        return options;
    }
}
