using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Opens a client connection to a tcp://, tls:// or unix: endpoint.</para>
/// <para type="description">The client is remembered for this session (Get-SdClient) until
/// Disconnect-SdClient. Messages that arrive wait until Receive-SdMessage takes them.</para>
/// </summary>
/// <example><code>$client = Connect-SdClient tls://localhost:3001 -CertificateAuthority ./certs/ca.pem</code></example>
[Cmdlet(VerbsCommunications.Connect, "SdClient")]
[OutputType(typeof(SdClient))]
public sealed class ConnectSdClientCommand : SdCmdlet
{
    /// <summary>The endpoint to connect to.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SdEndpointTransformation]
    [ValidateNotNull]
    public SdEndpoint Endpoint { get; set; } = null!;

    /// <summary>A PEM CA certificate the server's certificate must chain to (tls://); default: the system store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificateAuthority { get; set; }

    /// <summary>Accept any server certificate (development only).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>A PEM client certificate, for servers that ask for one (mutual TLS); needs <see cref="Key"/>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Certificate { get; set; }

    /// <summary>The client certificate's PEM private key.</summary>
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

    /// <summary>Connects and writes the <see cref="SdClient"/>.</summary>
    protected override void ProcessRecord()
    {
        var options = new ClientOptions
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
}
