using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher.Tests.Endpoints;

public sealed class SdEndpointAddressTests
{
    [Fact]
    public void ToEndPointGivesAnIPEndPointForIPv4AndIPv6Literals()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3001), SdEndpoint.Parse("tcp://127.0.0.1:3001").ToEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 3001), SdEndpoint.Parse("tcp://[::]:3001").ToEndPoint());
    }

    [Fact]
    public void ToEndPointGivesADnsEndPointForAHostName()
    {
        var endPoint = Assert.IsType<DnsEndPoint>(SdEndpoint.Parse("tcp://localhost:3001").ToEndPoint());

        Assert.Equal("localhost", endPoint.Host);
        Assert.Equal(3001, endPoint.Port);
    }

    [Fact]
    public void ToEndPointPutsANulBeforeAnAbstractName()
    {
        var endPoint = Assert.IsType<UnixDomainSocketEndPoint>(SdEndpoint.Parse("unix:@sd").ToEndPoint());

        // UnixDomainSocketEndPoint prints the leading NUL as '@', as ss(8) does.
        Assert.Equal("@sd", endPoint.ToString());
        Assert.Equal("/run/sd.sock", SdEndpoint.Parse("unix:/run/sd.sock").ToEndPoint().ToString());
    }

    [Fact]
    public void ToEndPointAcceptsTheLongestUnixPathParseAccepts()
    {
        var path = "/" + new string('a', SdEndpoint.MaxUnixNameBytes - 1);

        Assert.IsType<UnixDomainSocketEndPoint>(SdEndpoint.Parse("unix:" + path).ToEndPoint());
        Assert.IsType<UnixDomainSocketEndPoint>(SdEndpoint.Parse("unix:@" + path[1..] + "b").ToEndPoint());
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:1", AddressFamily.InterNetwork)]
    [InlineData("tcp://[::1]:1", AddressFamily.InterNetworkV6)]
    [InlineData("tcp://localhost:1", AddressFamily.Unspecified)]
    [InlineData("unix:@x", AddressFamily.Unix)]
    [InlineData("unixgram:/x", AddressFamily.Unix)]
    public void AddressFamilyFollowsTheEndpointForm(string text, AddressFamily family)
        => Assert.Equal(family, SdEndpoint.Parse(text).AddressFamily);

    [Fact]
    public async Task ResolveAsyncGivesAnIPLiteralAloneWithoutAskingTheResolver()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var addresses = await SdEndpoint.Parse("udp://[::1]:53").ResolveAsync(timeout.Token);

        Assert.Equal([new IPEndPoint(IPAddress.IPv6Loopback, 53)], addresses);
    }

    [Fact]
    public async Task ResolveAsyncGivesEveryLoopbackAddressOfLocalhostWithThePort()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var addresses = await SdEndpoint.Parse("tcp://localhost:3001").ResolveAsync(timeout.Token);

        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a.Address) && a.Port == 3001, a.ToString()));
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
    }

    [Fact]
    public async Task ResolveAsyncRefusesAnAfUnixEndpoint()
        => await Assert.ThrowsAsync<InvalidOperationException>(() => SdEndpoint.Parse("unix:/x").ResolveAsync());

    [Fact]
    public void WithPortKeepsTheHostAndChangesThePort()
    {
        var endpoint = SdEndpoint.Parse("tls://[::1]:0").WithPort(40001);

        Assert.Equal("tls://[::1]:40001", endpoint.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 40001), endpoint.ToEndPoint());
    }

    [Fact]
    public void WithPortRefusesAPortOutOfRangeAndAnAfUnixEndpoint()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SdEndpoint.Parse("tcp://[::1]:0").WithPort(65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => SdEndpoint.Parse("tcp://[::1]:0").WithPort(-1));
        Assert.Throws<InvalidOperationException>(() => SdEndpoint.Parse("unix:/x").WithPort(1));
    }

    [Fact]
    public void ForUnixPathMakesTheEndpointParseWouldRead()
    {
        Assert.Equal(SdEndpoint.Parse("unix:/run/sd/h.sock"), SdEndpoint.ForUnixPath("/run/sd/h.sock"));
        Assert.Equal(SdEndpoint.Parse("unixgram:rel.sock"), SdEndpoint.ForUnixPath("rel.sock", datagram: true));
        Assert.Equal(SdEndpoint.Parse("unix:@sd"), SdEndpoint.ForUnixAbstractName("sd"));
    }

    [Theory]
    [InlineData("", "empty path")]
    [InlineData("@name", "a path starting with '@' reads as an abstract name")]
    [InlineData("/tmp/a\nb", "control character")]
    public void ForUnixPathRejectsAPathTheTextFormCannotCarry(string path, string expected)
    {
        var error = Assert.Throws<SdException>(() => SdEndpoint.ForUnixPath(path));

        Assert.Equal("EndpointInvalid", error.Reason);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointsAreEqualOnlyWhenTheirCanonicalTextIs()
    {
        Assert.NotEqual(SdEndpoint.Parse("tcp://[::1]:1"), SdEndpoint.Parse("tls://[::1]:1"));
        Assert.NotEqual(SdEndpoint.Parse("unix:@x"), SdEndpoint.Parse("unixgram:@x"));
        Assert.NotEqual(SdEndpoint.Parse("unix:@x"), SdEndpoint.Parse("unix:x"));
        Assert.False(SdEndpoint.Parse("unix:x").Equals(null));
    }
}
