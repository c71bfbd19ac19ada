using System.Net;
using System.Security.Authentication;

namespace SocketDispatcher.Tests.Tls;

public sealed class TlsHandshakeTests(DevelopmentCertificates certificates) : IClassFixture<DevelopmentCertificates>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("127.0.0.1", "localhost")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("::1", "[::1]")]
    [InlineData("::1", "localhost")]
    public async Task ClientTrustingTheDevelopmentCaConnectsAndExchangesData(string bindAddress, string targetHost)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Parse(bindAddress), timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = certificates.Trusted.CertificateAuthority }, targetHost);

        var (serverError, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.Null(serverError);
        Assert.Null(clientError);
        Assert.Equal(SslProtocols.Tls13, pair.Client.SslProtocol);
        Assert.Equal("HELLO", await pair.ExchangeLineAsync("HELLO", timeout.Token));
    }

    [Fact]
    public async Task ServerAcceptsAClientLimitedToTls12()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = certificates.Trusted.CertificateAuthority }, "localhost");
        clientOptions.EnabledSslProtocols = SslProtocols.Tls12;

        var (serverError, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.Null(serverError);
        Assert.Null(clientError);
        Assert.Equal(SslProtocols.Tls12, pair.Server.SslProtocol);
    }

    [Fact]
    public async Task ClientTrustingAnotherCaFailsWithAnAuthenticationException()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = certificates.Other.CertificateAuthority }, "localhost");

        // .NET checks the server's chain once OpenSSL has finished, so the server side may well succeed.
        var (_, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.IsType<AuthenticationException>(clientError);
    }

    [Fact]
    public async Task ClientWithTheRightCaStillChecksTheHostName()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = certificates.Trusted.CertificateAuthority }, "sd.example.org");

        var (_, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.IsType<AuthenticationException>(clientError);
    }

    [Fact]
    public async Task ClientWithoutACaDoesNotTrustTheDevelopmentCertificate()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions(), "localhost");

        var (_, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.IsType<AuthenticationException>(clientError);
    }

    [Fact]
    public async Task ClientSkippingTheCertificateCheckAcceptsAnyNameAndCa()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { SkipCertificateCheck = true }, "sd.example.org");

        var (serverError, clientError) = await pair.HandshakeAsync(TlsSetup.CreateServerOptions(certificates.ServerOptions()), clientOptions, timeout.Token);

        Assert.Null(serverError);
        Assert.Null(clientError);
    }

    [Fact]
    public async Task MutualTlsAcceptsAClientCertificateFromTheClientCa()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.IPv6Loopback, timeout.Token);
        var serverOptions = TlsSetup.CreateServerOptions(certificates.ServerOptions(certificates.Trusted.CertificateAuthority));
        var clientOptions = TlsSetup.CreateClientOptions(
            new SdTlsClientOptions
            {
                CertificateAuthorityPath = certificates.Trusted.CertificateAuthority,
                CertificatePath = certificates.Trusted.ClientCertificate,
                KeyPath = certificates.Trusted.ClientKey,
            },
            "::1");

        var (serverError, clientError) = await pair.HandshakeAsync(serverOptions, clientOptions, timeout.Token);

        Assert.Null(serverError);
        Assert.Null(clientError);
        Assert.True(pair.Server.IsMutuallyAuthenticated);
        Assert.Contains("CN=SocketDispatcher Development Client", pair.Server.RemoteCertificate?.Subject, StringComparison.Ordinal);
        Assert.Equal("PING", await pair.ExchangeLineAsync("PING", timeout.Token));
    }

    [Fact]
    public async Task MutualTlsRejectsAClientWithoutACertificate()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var serverOptions = TlsSetup.CreateServerOptions(certificates.ServerOptions(certificates.Trusted.CertificateAuthority));
        var clientOptions = TlsSetup.CreateClientOptions(new SdTlsClientOptions { CertificateAuthorityPath = certificates.Trusted.CertificateAuthority }, "localhost");

        var (serverError, clientError) = await pair.HandshakeAsync(serverOptions, clientOptions, timeout.Token);

        Assert.IsType<AuthenticationException>(serverError);
        // In TLS 1.3 the client finishes its handshake before the server checks it (RFC 8446 section 4.4.2.4),
        // so the client may learn of the refusal only when it reads.
        if (clientError is null) await AssertClientCannotReadAsync(pair, timeout.Token);
    }

    [Fact]
    public async Task MutualTlsRejectsAClientCertificateFromAnotherCa()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var pair = await LoopbackTlsPair.ConnectAsync(IPAddress.Loopback, timeout.Token);
        var serverOptions = TlsSetup.CreateServerOptions(certificates.ServerOptions(certificates.Trusted.CertificateAuthority));
        var clientOptions = TlsSetup.CreateClientOptions(
            new SdTlsClientOptions
            {
                CertificateAuthorityPath = certificates.Trusted.CertificateAuthority,
                CertificatePath = certificates.Other.ClientCertificate,
                KeyPath = certificates.Other.ClientKey,
            },
            "localhost");

        var (serverError, clientError) = await pair.HandshakeAsync(serverOptions, clientOptions, timeout.Token);

        Assert.IsType<AuthenticationException>(serverError);
        if (clientError is null) await AssertClientCannotReadAsync(pair, timeout.Token);
    }

    private static async Task AssertClientCannotReadAsync(LoopbackTlsPair pair, CancellationToken cancellationToken)
    {
        try
        {
            var read = await pair.Client.ReadAsync(new byte[1], cancellationToken);
            Assert.Equal(0, read);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            // The server's alert: refused, as expected.
        }
    }
}
