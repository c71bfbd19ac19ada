using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Opens a client connection to a tcp://, tls:// or unix: endpoint.</para>
/// <para type="description">The client is remembered for this session (Get-SdClient) until
/// Disconnect-SdClient. Messages that arrive wait until Receive-SdMessage takes them.</para>
/// </summary>
/// <example><code>$client = Connect-SdClient tls://localhost:3001 -CertificateAuthority ./certs/ca.pem</code></example>
[Cmdlet(VerbsCommunications.Connect, "SdClient")]
[OutputType(typeof(SdClient), typeof(SdPermanentClient))]
public sealed class ConnectSdClientCommand : SdCmdlet
{
    /// <summary>The endpoint to connect to.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint Endpoint { get; set; } = null!;

    /// <summary>A PEM CA certificate the server's certificate must chain to (tls://); default: the system store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificateAuthority { get; set; }

    /// <summary>Accept any server certificate (development only).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>A PEM client certificate, for servers that ask for one (mutual TLS), with <see cref="Key"/> or holding its private key too.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Certificate { get; set; }

    /// <summary>The client certificate's PEM private key; default: read from the <see cref="Certificate"/> file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Key { get; set; }

    /// <summary>How long connecting and the TLS handshake may take (<c>10s</c>, <c>500ms</c>). Default: 10 s.</summary>
    [Parameter]
    [SdDurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest message line accepted from the server, in bytes; a longer one closes the connection. Default: 65,536.</summary>
    [Parameter]
    [ValidateRange(16, int.MaxValue)]
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>Log every message in and out; shown with -Verbose by Send-SdMessage and Receive-SdMessage.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>
    /// Keep the connection for good: connect in the background (whichever side starts first), reconnect
    /// after each loss following -PauseDuration, queue what is sent while disconnected. Writes a
    /// SdPermanentClient at once; Receive-SdMessage yields its SD_CONNECTED, SD_DISCONNECTED and
    /// SD_RECONNECT_ATTEMPT events among the messages.
    /// </summary>
    [Parameter]
    public SwitchParameter Permanent { get; set; }

    /// <summary>With -Permanent: the pause before each retry, the last repeating (<c>1s,2s,5s,10s</c>). Default: 1 s, 2 s, 5 s, 10 s.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? PauseDuration { get; set; }

    /// <summary>With -Permanent: how many messages sent while disconnected are kept (1 or more). Default: 1,000.</summary>
    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Connects and writes the <see cref="SdClient"/> (with -Permanent, starts a <see cref="SdPermanentClient"/>).</summary>
    protected override void ProcessRecord()
    {
        if (!Permanent && (PauseDuration is not null || MyInvocation.BoundParameters.ContainsKey(nameof(QueueCapacity))))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-PauseDuration and -QueueCapacity go with -Permanent"), "PermanentMissing", ErrorCategory.InvalidArgument, PauseDuration));
        }

        if (Permanent)
        {
            StartPermanent();
            return;
        }

        var options = new SdClientOptions
        {
            Tls = ClientTls.Create(this, CertificateAuthority, SkipCertificateCheck, Certificate, Key),
            ConnectTimeout = ConnectTimeout,
            Trace = TraceMessages,
            MaxLineBytes = MaxLineBytes,
        };
        var loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        SdClient client;
        try
        {
            client = Await(SdClient.ConnectAsync(Endpoint, options, loggerFactory, CancelToken));
        }
        catch (SdException ex)
        {
            loggerFactory.Dispose();
            ThrowTerminatingError(SdErrors.From(ex, Endpoint));
            return;
        }
        catch (OperationCanceledException)
        {
            loggerFactory.Dispose();
            return;
        }

        SdClientRegistry.Add(client, loggerFactory, log);
        WriteObject(client);
    }

    private void StartPermanent()
    {
        TimeSpan[] pauses;
        try
        {
            pauses = PauseDuration is null ? new SdPermanentClientOptions().Pauses.ToArray() : PauseDuration.SelectMany(p => p.Split(',')).Select(SdDuration.Parse).ToArray();
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, PauseDuration));
            return;
        }

        var options = new SdPermanentClientOptions
        {
            Connection = new SdClientOptions
            {
                Tls = ClientTls.Create(this, CertificateAuthority, SkipCertificateCheck, Certificate, Key),
                ConnectTimeout = ConnectTimeout,
                Trace = TraceMessages,
            },
            Pauses = pauses,
            QueueCapacity = QueueCapacity,
        };
        var loggerFactory = PipelineLog.CreateFactory(out var log);
        SdPermanentClient client;
        try
        {
            client = SdPermanentClient.Start(Endpoint, options, loggerFactory);
        }
        catch (SdException ex)
        {
            loggerFactory.Dispose();
            ThrowTerminatingError(SdErrors.From(ex, Endpoint));
            return;
        }

        SdClientRegistry.Add(client, loggerFactory, log);
        WriteObject(client);
    }
}
