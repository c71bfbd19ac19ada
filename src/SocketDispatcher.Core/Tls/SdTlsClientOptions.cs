namespace SocketDispatcher;

/// <summary>TLS settings of a client connection.</summary>
public sealed class SdTlsClientOptions
{
    /// <summary>
    /// Path of a PEM CA certificate the server's certificate must chain to; null trusts the system store.
    /// The host name is checked either way. Default: null.
    /// </summary>
    public string? CertificateAuthorityPath { get; init; }

    /// <summary>
    /// Accept any server certificate and name (development only); <see cref="CertificateAuthorityPath"/> is then
    /// not read. Default: false.
    /// </summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>Path of a PEM client certificate for mutual TLS, or null. Default: null.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>
    /// Path of the client certificate's PEM private key. Default: null, the key is in <see cref="CertificatePath"/>
    /// (one PEM file holding both). Given without a certificate, it is an error.
    /// </summary>
    public string? KeyPath { get; init; }
}
