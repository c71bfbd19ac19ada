using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketDispatcher.Tests.Tls;

// File modes are checked with the Unix-only file APIs; SocketDispatcher runs on Linux.
[SupportedOSPlatform("linux")]
public sealed class SdCertificateFactoryTests : IDisposable
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private readonly string _root = Directory.CreateTempSubdirectory("sd-cert-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static X509Certificate2 LoadPem(string path) => X509Certificate2.CreateFromPem(File.ReadAllText(path));

    [Fact]
    public void DevelopmentSetWritesSixPemFilesWithPrivateKeysOnlyForTheOwner()
    {
        var set = SdCertificateFactory.CreateDevelopmentSet(Path.Combine(_root, "new", "certs"));

        foreach (var key in new[] { set.CertificateAuthorityKey, set.ServerKey, set.ClientKey })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);
        }

        foreach (var certificate in new[] { set.CertificateAuthority, set.ServerCertificate, set.ClientCertificate })
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(certificate), StringComparison.Ordinal);
        Assert.Equal(6, Directory.GetFiles(set.Directory).Length);
    }

    [Fact]
    public void DevelopmentCaMaySignCertificatesAndNothingElse()
    {
        var set = SdCertificateFactory.CreateDevelopmentSet(_root);
        using var ca = LoadPem(set.CertificateAuthority);

        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        var usage = Assert.Single(ca.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(constraints.CertificateAuthority && constraints.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.Equal("ECDsa", ca.GetECDsaPublicKey()!.SignatureAlgorithm);
        Assert.Equal(256, ca.GetECDsaPublicKey()!.KeySize);
    }

    [Fact]
    public void ServerCertificateNamesLocalhostBothLoopbackAddressesAndTheCommonName()
    {
        var set = SdCertificateFactory.CreateDevelopmentSet(_root, "sd.example.test");
        using var server = LoadPem(set.ServerCertificate);

        var names = Assert.Single(server.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["localhost", "sd.example.test"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        Assert.Contains("CN=sd.example.test", server.Subject, StringComparison.Ordinal);
        Assert.True(server.MatchesHostname("127.0.0.1") && server.MatchesHostname("::1") && server.MatchesHostname("localhost"));
        Assert.Equal("sd.example.test", set.CommonName);
    }

    [Fact]
    public void AnIPAddressCommonNameIsAddedAsAnIPAddressName()
    {
        var set = SdCertificateFactory.CreateDevelopmentSet(_root, "192.0.2.7");
        using var server = LoadPem(set.ServerCertificate);

        var names = Assert.Single(server.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Contains(IPAddress.Parse("192.0.2.7"), names.EnumerateIPAddresses());
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
    }

    [Theory]
    [InlineData("server", ServerAuthOid)]
    [InlineData("client", ClientAuthOid)]
    public void LeafCertificatesChainToTheCaForTheirPurpose(string leaf, string purpose)
    {
        var set = SdCertificateFactory.CreateDevelopmentSet(_root);
        using var ca = LoadPem(set.CertificateAuthority);
        using var certificate = LoadPem(leaf == "server" ? set.ServerCertificate : set.ClientCertificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purpose));

        var built = chain.Build(certificate);

        Assert.True(built, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(ca.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
        var usage = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal([purpose], usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
    }

    [Fact]
    public void CertificatesAreValidFromNowForTheGivenTime()
    {
        var before = DateTimeOffset.UtcNow;
        var set = SdCertificateFactory.CreateDevelopmentSet(_root, validity: TimeSpan.FromDays(30));
        using var server = LoadPem(set.ServerCertificate);

        Assert.InRange(set.NotAfter, before.AddDays(30).AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(30));
        Assert.Equal(set.NotAfter, new DateTimeOffset(server.NotAfter));
        Assert.True(server.NotBefore <= before.UtcDateTime);
    }

    [Fact]
    public void DevelopmentSetReplacesAnEarlierOneAndLeavesNoTemporaryFiles()
    {
        var first = SdCertificateFactory.CreateDevelopmentSet(_root);
        var firstCa = File.ReadAllText(first.CertificateAuthority);
        File.SetUnixFileMode(first.ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var second = SdCertificateFactory.CreateDevelopmentSet(_root);

        Assert.NotEqual(firstCa, File.ReadAllText(second.CertificateAuthority));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.ServerKey));
        Assert.Equal(6, Directory.GetFiles(_root).Length);
    }

    [Fact]
    public void DevelopmentSetUnderAFileGivesCertificateWriteFailed()
    {
        var file = Path.Combine(_root, "file");
        File.WriteAllText(file, "x");

        var error = Assert.Throws<SdException>(() => SdCertificateFactory.CreateDevelopmentSet(Path.Combine(file, "certs")));

        Assert.Equal("CertificateWriteFailed", error.Reason);
        Assert.Contains($"cannot write certificates in '{Path.Combine(file, "certs")}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void DevelopmentSetRefusesAValidityThatIsNotPositive()
        => Assert.Throws<ArgumentOutOfRangeException>(() => SdCertificateFactory.CreateDevelopmentSet(_root, validity: TimeSpan.Zero));
}
