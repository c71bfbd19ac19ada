namespace SocketDispatcher;

/// <summary>The PEM files of a development certificate set made by <see cref="SdCertificateFactory"/>.</summary>
public sealed class SdCertificateSet
{
    internal SdCertificateSet(string directory, string commonName, DateTimeOffset notAfter)
    {
        Directory = directory;
        CommonName = commonName;
        NotAfter = notAfter;
    }

    /// <summary>The folder holding the files.</summary>
    public string Directory { get; }

    /// <summary>The server certificate's common name.</summary>
    public string CommonName { get; }

    /// <summary>When the certificates expire.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The CA certificate (<c>ca.pem</c>): give it to clients as their trust anchor.</summary>
    public string CertificateAuthority => Path.Combine(Directory, "ca.pem");

    /// <summary>The CA's private key (<c>ca.key</c>, mode 0600).</summary>
    public string CertificateAuthorityKey => Path.Combine(Directory, "ca.key");

    /// <summary>The server certificate (<c>server.pem</c>), SANs <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>.</summary>
    public string ServerCertificate => Path.Combine(Directory, "server.pem");

    /// <summary>The server's private key (<c>server.key</c>, mode 0600).</summary>
    public string ServerKey => Path.Combine(Directory, "server.key");

    /// <summary>The client certificate for mutual TLS (<c>client.pem</c>).</summary>
    public string ClientCertificate => Path.Combine(Directory, "client.pem");

    /// <summary>The client's private key (<c>client.key</c>, mode 0600).</summary>
    public string ClientKey => Path.Combine(Directory, "client.key");
}
