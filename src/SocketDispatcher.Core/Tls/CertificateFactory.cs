namespace SocketDispatcher;

/// <summary>Makes development certificates in PEM. STUB.</summary>
public static class CertificateFactory
{
    /// <summary>
    /// Creates a CA, a server certificate (SANs <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c> and
    /// <paramref name="commonName"/>) and a client certificate, all ECDSA P-256, in <paramref name="directory"/>.
    /// </summary>
    /// <param name="directory">The output folder; created if missing. Existing files are replaced.</param>
    /// <param name="commonName">The server certificate's common name. Default: <c>localhost</c>.</param>
    /// <param name="validity">How long the certificates are valid. Default: 365 days.</param>
    /// <exception cref="SdException">The folder cannot be written (kind PermissionDenied or NotFound).</exception>
    public static SdCertificateSet CreateDevelopmentSet(string directory, string commonName = "localhost", TimeSpan? validity = null)
        => throw new NotImplementedException();
}
