namespace SocketDispatcher;

/// <summary>TLS settings of a listener's endpoints, applied by the dispatchers that terminate TLS.</summary>
public sealed class TlsServerOptions
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
}
