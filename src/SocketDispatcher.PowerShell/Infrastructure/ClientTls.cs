using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>The TLS parameters shared by <c>Connect-SdClient</c> and <c>Send-SdMessage -Endpoint</c>.</summary>
internal static class ClientTls
{
    /// <summary>
    /// Checks that the parameters go together and the files exist (paths relative to the PowerShell
    /// location), and builds Core's options; ends the command with an error otherwise. The rules on the
    /// certificate and its key are Core's (TlsSetup), as for <c>sd client</c>: a -Certificate without -Key
    /// is a PEM file holding both; a -Key without -Certificate is CertificateMissing.
    /// </summary>
    public static SdTlsClientOptions Create(SdCmdlet cmdlet, string? certificateAuthority, bool skipCertificateCheck, string? certificate = null, string? key = null)
    {
        if (skipCertificateCheck && certificateAuthority is not null)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("use either -CertificateAuthority or -SkipCertificateCheck, not both"),
                "ParameterConflict",
                ErrorCategory.InvalidArgument,
                certificateAuthority));
        }

        return new SdTlsClientOptions
        {
            CertificateAuthorityPath = certificateAuthority is null ? null : cmdlet.ResolveExistingFile(certificateAuthority, "CertificateAuthority"),
            SkipCertificateCheck = skipCertificateCheck,
            CertificatePath = certificate is null ? null : cmdlet.ResolveExistingFile(certificate, "Certificate"),
            KeyPath = key is null ? null : cmdlet.ResolveExistingFile(key, "Key"),
        };
    }
}
