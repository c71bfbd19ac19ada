using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher.Tests.Tls;

public sealed class TlsSetupErrorTests(DevelopmentCertificates certificates) : IClassFixture<DevelopmentCertificates>
{
    private SdCertificateSet Set => certificates.Trusted;

    [Fact]
    public void MissingServerCertificateFileGivesCertificateNotFound()
    {
        var path = Path.Combine(certificates.Root, "missing", "server.pem");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = path, KeyPath = Set.ServerKey }));

        AssertError(error, SdErrorKind.NotFound, "CertificateNotFound", $"certificate file '{path}' not found");
    }

    [Fact]
    public void MissingServerKeyFileGivesCertificateNotFound()
    {
        var path = Path.Combine(certificates.Root, "server-missing.key");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.ServerCertificate, KeyPath = path }));

        AssertError(error, SdErrorKind.NotFound, "CertificateNotFound", $"private key file '{path}' not found");
    }

    [Fact]
    public void MissingClientCaFileOfTheServerGivesCertificateNotFound()
    {
        var path = Path.Combine(certificates.Root, "no-ca.pem");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(certificates.ServerOptions(path)));

        AssertError(error, SdErrorKind.NotFound, "CertificateNotFound", $"client CA certificate file '{path}' not found");
    }

    [Fact]
    public void MissingCaFileOfTheClientGivesCertificateNotFound()
    {
        var path = Path.Combine(certificates.Root, "no-ca.pem");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = path }, "localhost"));

        AssertError(error, SdErrorKind.NotFound, "CertificateNotFound", $"CA certificate file '{path}' not found");
    }

    [Fact]
    public void MissingClientCertificateFileGivesCertificateNotFound()
    {
        var path = Path.Combine(certificates.Root, "no-client.pem");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificatePath = path, KeyPath = Set.ClientKey }, "localhost"));

        AssertError(error, SdErrorKind.NotFound, "CertificateNotFound", $"client certificate file '{path}' not found");
    }

    [Fact]
    public void FileWithoutACertificateBlockGivesCertificateInvalid()
    {
        var path = Write("not-pem.pem", "hello\n");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = path, KeyPath = Set.ServerKey }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"certificate file '{path}' holds no PEM CERTIFICATE block");
    }

    [Fact]
    public void MalformedCertificateBlockGivesCertificateInvalid()
    {
        var path = Write("broken.pem", "-----BEGIN CERTIFICATE-----\nTUlJQm9vb29vb29v\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = path }, "localhost"));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"CA certificate file '{path}' holds a malformed CERTIFICATE block");
    }

    [Fact]
    public void KeyOfAnotherCertificateGivesCertificateInvalid()
    {
        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.ServerCertificate, KeyPath = Set.ClientKey }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"private key file '{Set.ClientKey}' does not belong to certificate '{Set.ServerCertificate}'");
    }

    [Fact]
    public void KeyFileWithoutAKeyGivesCertificateInvalid()
    {
        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.ServerCertificate, KeyPath = Set.ServerCertificate }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"private key file '{Set.ServerCertificate}' holds no valid EC private key");
    }

    [Fact]
    public void EncryptedKeyGivesCertificateInvalidWithTheWayOut()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Write("encrypted.key", key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1)));

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.ServerCertificate, KeyPath = path }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"private key file '{path}' is encrypted");
    }

    [Fact]
    public void DirectoryInsteadOfACertificateFileGivesCertificateInvalid()
    {
        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.Directory, KeyPath = Set.ServerKey }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"certificate file '{Set.Directory}' is a directory");
    }

    [Fact]
    public void ExpiredServerCertificateIsRefusedAtStartup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        var certificatePath = Write("expired.pem", expired.ExportCertificatePem());
        var keyPath = Write("expired.key", key.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = certificatePath, KeyPath = keyPath }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"certificate '{certificatePath}' expired on");
    }

    [Fact]
    public void RsaCertificateAndPkcs1KeyAreAccepted()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Write("rsa.pem", certificate.ExportCertificatePem());
        var keyPath = Write("rsa.key", key.ExportRSAPrivateKeyPem());

        var options = TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = certificatePath, KeyPath = keyPath });

        Assert.Equal(certificate.Thumbprint, options.ServerCertificateContext!.TargetCertificate.Thumbprint);
    }

    [Fact]
    public void ServerOptionsAskForAClientCertificateOnlyWithAClientCa()
    {
        var plain = TlsSetup.CreateServerOptions(certificates.ServerOptions());
        var mutual = TlsSetup.CreateServerOptions(certificates.ServerOptions(Set.CertificateAuthority));

        Assert.False(plain.ClientCertificateRequired);
        Assert.True(mutual.ClientCertificateRequired);
        Assert.Equal(X509ChainTrustMode.CustomRootTrust, mutual.CertificateChainPolicy!.TrustMode);
        Assert.Equal(X509RevocationMode.NoCheck, mutual.CertificateChainPolicy.RevocationMode);
    }

    [Theory]
    [InlineData("server.key", null, "the private key 'server.key'")]
    [InlineData(null, "ca.pem", "the client CA 'ca.pem'")]
    public void ServerKeyOrClientCaWithoutACertificateGivesCertificateMissing(string? key, string? clientCa, string expected)
    {
        var error = Assert.Throws<SdException>(() => SdTlsServerOptions.FromFiles(null, key, clientCa));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateMissing", expected + " is for TLS, but no server certificate was given");
    }

    [Fact]
    public void NoServerFilesMeanNoTls()
    {
        Assert.Null(SdTlsServerOptions.FromFiles(null, null, null));
        Assert.Null(SdTlsServerOptions.FromFiles("server.pem", null, null)!.KeyPath);
    }

    [Fact]
    public void ClientKeyWithoutACertificateGivesCertificateMissing()
    {
        var options = new SdTlsClientOptions { KeyPath = Set.ClientKey };

        var error = Assert.Throws<SdException>(() => TlsSetup.CreateClientOptions(options, "localhost"));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateMissing", $"client key '{Set.ClientKey}' is given without a client certificate");
    }

    [Fact]
    public void CertificateWithoutAKeyPathTakesTheKeyFromTheCertificateFile()
    {
        var serverPem = Write("server-with-key.pem", File.ReadAllText(Set.ServerCertificate) + File.ReadAllText(Set.ServerKey));
        var clientPem = Write("client-with-key.pem", File.ReadAllText(Set.ClientCertificate) + File.ReadAllText(Set.ClientKey));

        var server = TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = serverPem });
        var client = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificatePath = clientPem }, "localhost");

        Assert.True(server.ServerCertificateContext!.TargetCertificate.HasPrivateKey);
        Assert.True(client.ClientCertificateContext!.TargetCertificate.HasPrivateKey);
    }

    [Fact]
    public void CertificateFileWithoutTheKeyAndNoKeyPathSaysTheKeyIsMissing()
    {
        var error = Assert.Throws<SdException>(() => TlsSetup.CreateServerOptions(new SdTlsServerOptions { CertificatePath = Set.ServerCertificate }));

        AssertError(error, SdErrorKind.InvalidArgument, "CertificateInvalid", $"certificate file '{Set.ServerCertificate}' holds no valid EC private key, and no key file was given");
    }

    private static void AssertError(SdException error, SdErrorKind kind, string reason, string expected)
    {
        Assert.Equal(kind, error.Kind);
        Assert.Equal(reason, error.Reason);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(certificates.Root, name);
        File.WriteAllText(path, content);
        return path;
    }
}
