using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher;

/// <summary>
/// Builds <see cref="SslStream"/> options from PEM files: TLS 1.2 and 1.3 only, no revocation checks
/// (development CAs have no CRL or OCSP responder, and an offline host must still start).
/// </summary>
internal static class TlsSetup
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Server options: the certificate and its chain, and, with a client CA, mutual TLS.</summary>
    /// <exception cref="SdException">Reason <c>CertificateNotFound</c> (kind NotFound) for a missing file;
    /// <c>CertificateInvalid</c> for an unreadable or malformed file, a key that does not match, or an expired certificate.</exception>
    public static SslServerAuthenticationOptions CreateServerOptions(SdTlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificate = PemFiles.LoadCertificateWithKey(options.CertificatePath, options.KeyPath, "certificate", "private key", out var chain);
        CheckNotExpired(certificate, options.CertificatePath, "certificate");

        var result = new SslServerAuthenticationOptions
        {
            // offline: the chain comes from the PEM file alone; no AIA download at startup.
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };

        if (options.ClientCertificateAuthorityPath is { } authorityPath)
        {
            // SslStream validates the client's chain with this policy, so a chain that does not end in one of
            // these CAs, or no certificate at all, fails the handshake (RFC 8446 section 4.4.2.4).
            result.ClientCertificateRequired = true;
            result.CertificateChainPolicy = CustomRootPolicy(PemFiles.LoadCertificates(authorityPath, "client CA certificate"));
        }

        return result;
    }

    /// <summary>Client options for a connection to <paramref name="targetHost"/>.</summary>
    /// <param name="options">The client's TLS settings.</param>
    /// <param name="targetHost">The host name or IP address the server certificate must name (SNI for names,
    /// RFC 6066); an IPv6 address with or without brackets.</param>
    /// <exception cref="SdException">As <see cref="CreateServerOptions"/>, for the CA and client certificate files;
    /// reason <c>CertificateInvalid</c> when only one of the client certificate and key is given.</exception>
    public static SslClientAuthenticationOptions CreateClientOptions(SdTlsClientOptions options, string targetHost)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        if (targetHost.Length > 2 && targetHost[0] == '[' && targetHost[^1] == ']') targetHost = targetHost[1..^1];

        var result = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };

        if (options.SkipCertificateCheck)
        {
#pragma warning disable CA5359 // The caller asked for it (sd client --insecure, -SkipCertificateCheck), for development certificates only.
            result.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (options.CertificateAuthorityPath is { } authorityPath)
        {
            // Only the chain's trust anchor changes; SslStream still checks the name against the SANs.
            result.CertificateChainPolicy = CustomRootPolicy(PemFiles.LoadCertificates(authorityPath, "CA certificate"));
        }

        if (options.CertificatePath is null && options.KeyPath is not null)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "CertificateMissing", $"client key '{options.KeyPath}' is given without a client certificate; give the certificate too");
        }

        if (options.CertificatePath is not null)
        {
            var certificate = PemFiles.LoadCertificateWithKey(options.CertificatePath, options.KeyPath, "client certificate", "client private key", out var chain);
            CheckNotExpired(certificate, options.CertificatePath, "client certificate");
            // A context is sent whatever CA names the server lists, unlike a certificate collection.
            result.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        }

        return result;
    }

    private static X509ChainPolicy CustomRootPolicy(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    private static void CheckNotExpired(X509Certificate2 certificate, string path, string what)
    {
        // Every handshake would fail with a vague alert; say so once, at startup.
        if (certificate.NotAfter < DateTime.Now)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "CertificateInvalid",
                $"{what} '{path}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z; renew it, or make new development certificates with 'sd cert'");
        }
    }
}
