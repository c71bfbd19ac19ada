namespace SocketDispatcher.Tests.Tls;

/// <summary>Two independent development sets (two CAs), made once per test class and deleted after it.</summary>
public sealed class DevelopmentCertificates : IDisposable
{
    public DevelopmentCertificates()
    {
        Root = Directory.CreateTempSubdirectory("sd-tls-tests-").FullName;
        Trusted = SdCertificateFactory.CreateDevelopmentSet(Path.Combine(Root, "trusted"));
        Other = SdCertificateFactory.CreateDevelopmentSet(Path.Combine(Root, "other"));
    }

    public string Root { get; }

    /// <summary>The set the servers in the tests use.</summary>
    public SdCertificateSet Trusted { get; }

    /// <summary>A set from another CA, which nothing in the tests trusts for <see cref="Trusted"/>.</summary>
    public SdCertificateSet Other { get; }

    public SdTlsServerOptions ServerOptions(string? clientAuthority = null) => new()
    {
        CertificatePath = Trusted.ServerCertificate,
        KeyPath = Trusted.ServerKey,
        ClientCertificateAuthorityPath = clientAuthority,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
