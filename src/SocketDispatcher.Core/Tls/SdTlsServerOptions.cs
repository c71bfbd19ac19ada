namespace SocketDispatcher;

/// <summary>TLS settings of a listener's endpoints, applied by the dispatchers that terminate TLS.</summary>
public sealed class SdTlsServerOptions
{
    /// <summary>Path of the server certificate in PEM (it may be followed by its chain).</summary>
    public required string CertificatePath { get; init; }

    /// <summary>
    /// Path of the server's private key in PEM (PKCS#8, or PKCS#1/SEC1). Default: null, the key is in
    /// <see cref="CertificatePath"/> (one PEM file holding both, as haproxy takes them).
    /// </summary>
    public string? KeyPath { get; init; }

    /// <summary>
    /// Path of a PEM CA certificate; when set, clients must present a certificate issued by it (mutual TLS).
    /// Default: null (no client certificate asked).
    /// </summary>
    public string? ClientCertificateAuthorityPath { get; init; }

    /// <summary>
    /// The TLS settings a front end was given (<c>sd listen --cert --key --client-ca</c>, <c>Start-SdListener
    /// -Certificate -Key -ClientCertificateAuthority</c>): null when no certificate was given, nor anything else.
    /// The files are read when the listener starts, not here.
    /// </summary>
    /// <param name="certificatePath">The server certificate (PEM), or null.</param>
    /// <param name="keyPath">Its private key (PEM), or null: the key is in the certificate file.</param>
    /// <param name="clientCertificateAuthorityPath">A client CA (PEM) for mutual TLS, or null.</param>
    /// <exception cref="SdException">A key or a client CA without a certificate (kind InvalidArgument, reason <c>CertificateMissing</c>).</exception>
    public static SdTlsServerOptions? FromFiles(string? certificatePath, string? keyPath, string? clientCertificateAuthorityPath)
    {
        if (certificatePath is not null)
        {
            return new SdTlsServerOptions { CertificatePath = certificatePath, KeyPath = keyPath, ClientCertificateAuthorityPath = clientCertificateAuthorityPath };
        }

        if (keyPath is null && clientCertificateAuthorityPath is null) return null;

        // A key or a client CA is TLS: without the server certificate there is nothing to apply them to.
        var what = keyPath is not null ? $"the private key '{keyPath}'" : $"the client CA '{clientCertificateAuthorityPath}'";
        throw new SdException(SdErrorKind.InvalidArgument, "CertificateMissing",
            $"{what} is for TLS, but no server certificate was given; give the certificate too (with its key, or a PEM file that holds the key)");
    }
}
