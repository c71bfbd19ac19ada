using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher;

/// <summary>Builds SslStream options from PEM files. STUB: checks and mutual TLS to be completed.</summary>
internal static class TlsSetup
{
    public static SslServerAuthenticationOptions CreateServerOptions(TlsServerOptions options)
    {
        var cert = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(cert, null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    public static SslClientAuthenticationOptions CreateClientOptions(TlsClientOptions options, string targetHost)
    {
        var result = new SslClientAuthenticationOptions { TargetHost = targetHost, EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
        if (options.SkipCertificateCheck) result.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        else if (options.CertificateAuthorityPath is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509Certificate2.CreateFromPemFile(options.CertificateAuthorityPath));
            result.CertificateChainPolicy = policy;
        }

        return result;
    }
}
