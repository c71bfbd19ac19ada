using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Creates a development CA, a server and a client certificate (PEM).</para>
/// <para type="description">Writes ca.pem/ca.key, server.pem/server.key (SANs localhost, 127.0.0.1, ::1
/// and the common name) and client.pem/client.key into a folder, replacing files of those names.</para>
/// </summary>
/// <example><code>New-SdCertificate -Path ./certs</code></example>
[Cmdlet(VerbsCommon.New, "SdCertificate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SdCertificateSet))]
public sealed class NewSdCertificateCommand : SdCmdlet
{
    /// <summary>The folder to write the files into; created if missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The server certificate's common name. Default: localhost.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CommonName { get; set; } = "localhost";

    /// <summary>How many days the certificates are valid. Default: 365.</summary>
    [Parameter]
    [ValidateRange(1, 36500)]
    public int ValidDays { get; set; } = 365;

    /// <summary>Creates the files and writes the <see cref="SdCertificateSet"/>.</summary>
    protected override void ProcessRecord()
    {
        var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(directory, $"Create a development CA, server and client certificates for '{CommonName}'")) return;
        try
        {
            WriteObject(SdCertificateFactory.CreateDevelopmentSet(directory, CommonName, TimeSpan.FromDays(ValidDays)));
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, directory));
        }
    }
}
