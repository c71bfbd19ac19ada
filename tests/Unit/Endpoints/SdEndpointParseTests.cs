namespace SocketDispatcher.Tests.Endpoints;

public sealed class SdEndpointParseTests
{
    public static TheoryData<string, SdEndpointKind, string?, int, string?, bool> GoodEndpoints => new()
    {
        { "tcp://127.0.0.1:3001", SdEndpointKind.Tcp, "127.0.0.1", 3001, null, false },
        { "tcp://[::1]:3001", SdEndpointKind.Tcp, "::1", 3001, null, false },
        { "tcp://0.0.0.0:3001", SdEndpointKind.Tcp, "0.0.0.0", 3001, null, false },
        { "tcp://[::]:0", SdEndpointKind.Tcp, "::", 0, null, false },
        { "tcp://localhost:3001", SdEndpointKind.Tcp, "localhost", 3001, null, false },
        { "tcp://255.255.255.255:65535", SdEndpointKind.Tcp, "255.255.255.255", 65535, null, false },
        { "tcp://[2001:db8::1]:443", SdEndpointKind.Tcp, "2001:db8::1", 443, null, false },
        { "tcp://[::ffff:127.0.0.1]:80", SdEndpointKind.Tcp, "::ffff:127.0.0.1", 80, null, false },
        { "tcp://[fe80::1%1]:80", SdEndpointKind.Tcp, "fe80::1%1", 80, null, false },
        { "tcp://my-host.example.org:8080", SdEndpointKind.Tcp, "my-host.example.org", 8080, null, false },
        { "tcp://db_1:5432", SdEndpointKind.Tcp, "db_1", 5432, null, false },
        { "tcp://example.org.:1", SdEndpointKind.Tcp, "example.org.", 1, null, false },
        { "tls://localhost:3001", SdEndpointKind.Tls, "localhost", 3001, null, false },
        { "tls://[::1]:443", SdEndpointKind.Tls, "::1", 443, null, false },
        { "udp://127.0.0.1:3002", SdEndpointKind.Udp, "127.0.0.1", 3002, null, false },
        { "udp://[::]:53", SdEndpointKind.Udp, "::", 53, null, false },
        { "unix:/run/sd/handoff.sock", SdEndpointKind.Unix, null, 0, "/run/sd/handoff.sock", false },
        { "unix:relative/path.sock", SdEndpointKind.Unix, null, 0, "relative/path.sock", false },
        { "unix:with space.sock", SdEndpointKind.Unix, null, 0, "with space.sock", false },
        { "unix:@name", SdEndpointKind.Unix, null, 0, "name", true },
        { "unix:@sd/handoff", SdEndpointKind.Unix, null, 0, "sd/handoff", true },
        { "unixgram:/tmp/d.sock", SdEndpointKind.UnixDatagram, null, 0, "/tmp/d.sock", false },
        { "unixgram:@log", SdEndpointKind.UnixDatagram, null, 0, "log", true },
        { "unix:/" + new string('a', 106), SdEndpointKind.Unix, null, 0, "/" + new string('a', 106), false },
    };

    [Theory]
    [MemberData(nameof(GoodEndpoints))]
    public void ParseReadsEachDocumentedFormAndPrintsItBack(string text, SdEndpointKind kind, string? host, int port, string? path, bool isAbstract)
    {
        var endpoint = SdEndpoint.Parse(text);

        Assert.Equal(kind, endpoint.Kind);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(path, endpoint.Path);
        Assert.Equal(isAbstract, endpoint.IsAbstract);
        Assert.Equal(text, endpoint.ToString());
        Assert.Equal(endpoint, SdEndpoint.Parse(endpoint.ToString()));
    }

    [Theory]
    [InlineData("TCP://LocalHost:3001", "tcp://localhost:3001")]
    [InlineData("Unix:/run/X.sock", "unix:/run/X.sock")]
    [InlineData("tcp://[0:0:0:0:0:0:0:1]:3001", "tcp://[::1]:3001")]
    [InlineData("tcp://[2001:DB8:0::1]:1", "tcp://[2001:db8::1]:1")]
    [InlineData("tcp://127.0.0.1:0080", "tcp://127.0.0.1:80")]
    [InlineData("udp://host:000", "udp://host:0")]
    public void ParseWritesEquivalentTextInCanonicalForm(string text, string canonical)
    {
        var endpoint = SdEndpoint.Parse(text);

        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(SdEndpoint.Parse(canonical), endpoint);
        Assert.Equal(SdEndpoint.Parse(canonical).GetHashCode(), endpoint.GetHashCode());
    }

    [Theory]
    [InlineData("tcp://300.1.1.1:1", "'300.1.1.1' is not a valid IPv4 address")]
    [InlineData("tcp://1.2.3:1", "'1.2.3' is not a valid IPv4 address")]
    [InlineData("tcp://1.2.3.4.5:1", "'1.2.3.4.5' is not a valid IPv4 address")]
    [InlineData("tcp://010.0.0.1:1", "'010.0.0.1' is not a valid IPv4 address")]
    [InlineData("tcp://0x7f.0.0.1:1", "'0x7f.0.0.1' is not a valid host name (the last label is all digits)")]
    [InlineData("tcp://0x7f:1", "'0x7f' reads as the IPv4 address 0.0.0.127")]
    [InlineData("tcp://[::1]", "no port; add ':PORT' (0-65535), as in tcp://[::1]:3001")]
    [InlineData("tcp://localhost", "no port")]
    [InlineData("tcp://localhost:", "empty port after ':'")]
    [InlineData("udp://host:99999", "port 99999 is out of range 0-65535")]
    [InlineData("tcp://host:65536", "port 65536 is out of range 0-65535")]
    [InlineData("tcp://host:-1", "port '-1' is out of range 0-65535")]
    [InlineData("tcp://host:http", "port 'http' is not a number")]
    [InlineData("unix:", "empty path")]
    [InlineData("unixgram:", "empty path")]
    [InlineData("unix:@", "empty abstract name after '@'")]
    [InlineData("foo://x", "unknown scheme 'foo'; use one of tcp://, tls://, udp://, unix: or unixgram:")]
    [InlineData("localhost:3001", "unknown scheme 'localhost'; use one of tcp://, tls://, udp://, unix: or unixgram:, as in tcp://localhost:3001")]
    [InlineData("tcp://::1:3001", "an IPv6 address must be in brackets, as in tcp://[::1]:3001")]
    [InlineData("tcp://fe80::1", "an IPv6 address must be in brackets, as in tcp://[fe80::1]:PORT")]
    [InlineData("tcp://127.0.0.1:3001/path", "unexpected '/path' after the port")]
    [InlineData("tcp://127.0.0.1:3001 x", "unexpected ' x' after the port")]
    [InlineData("tcp://localhost:80:90", "unexpected ':90' after the port")]
    [InlineData("tcp://[::1]x:1", "unexpected 'x:1' after ']'")]
    [InlineData("tcp://[::1:1", "'[' has no closing ']'")]
    [InlineData("tcp://[]:1", "empty brackets '[]'")]
    [InlineData("tcp://[127.0.0.1]:1", "'127.0.0.1' is an IPv4 address; write it without brackets")]
    [InlineData("tcp://[1::2::3]:1", "'1::2::3' is not a valid IPv6 address")]
    [InlineData("tcp://[::1%]:1", "'' is not a valid IPv6 zone")]
    [InlineData("tcp://[fe80::1%no-such-if9]:1", "network interface 'no-such-if9' of the IPv6 zone does not exist")]
    [InlineData("tcp://:3001", "no host; use 0.0.0.0 or [::]")]
    [InlineData("tcp://", "no host and port")]
    [InlineData("tcp:localhost:1", "'tcp:' must be followed by '//'")]
    [InlineData("tcp://bad_host!:1", "'bad_host!' is not a valid host name (character '!' is not allowed)")]
    [InlineData("tcp://user@host:1", "'user@host' is not a valid host name (character '@' is not allowed)")]
    [InlineData("tcp://-bad.example:1", "label '-bad' starts or ends with '-'")]
    [InlineData("tcp://a..b:1", "empty label between dots")]
    [InlineData("", "endpoint is empty")]
    [InlineData(" tcp://localhost:1", "leading or trailing white space")]
    [InlineData("tcp://localhost:1\n", "leading or trailing white space")]
    [InlineData("/run/sd.sock", "no scheme")]
    [InlineData("unix:/tmp/a\nb", "the path contains a control character")]
    [InlineData("unix:@a\0b", "the abstract name contains a control character")]
    public void ParseRejectsBadTextWithOneLineNamingTheProblem(string text, string expected)
    {
        var error = Assert.Throws<SdException>(() => SdEndpoint.Parse(text));

        Assert.Equal(SdErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("EndpointInvalid", error.Reason);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain('\0', error.Message);
    }

    [Fact]
    public void ParseRejectsAUnixPathLongerThanSunPathHolds()
    {
        var text = "unix:/" + new string('a', 107);

        var error = Assert.Throws<SdException>(() => SdEndpoint.Parse(text));

        Assert.Contains("the path is 108 bytes, over the 107 that fit in sun_path", error.Message, StringComparison.Ordinal);
        Assert.Contains("unix(7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseCountsUnixPathLengthInUtf8Bytes()
    {
        // 54 two-byte characters: 54 characters but 108 bytes, one more than sun_path holds.
        var error = Assert.Throws<SdException>(() => SdEndpoint.Parse("unix:@" + new string('é', 54)));

        Assert.Contains("the abstract name is 108 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseQuotesLongTextShortlyInTheMessage()
    {
        var error = Assert.Throws<SdException>(() => SdEndpoint.Parse("foo://" + new string('x', 5000)));

        Assert.True(error.Message.Length < 400, error.Message);
        Assert.Contains("...", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseThrowsArgumentNullExceptionForNull()
        => Assert.Throws<ArgumentNullException>(() => SdEndpoint.Parse(null!));

    [Fact]
    public void TryParseReturnsTheEndpointAndNoErrorForGoodText()
    {
        Assert.True(SdEndpoint.TryParse("tls://[::1]:3001", out var endpoint, out var error));
        Assert.Null(error);
        Assert.Equal(SdEndpoint.Parse("tls://[::1]:3001"), endpoint);
    }

    [Theory]
    [InlineData(null, "endpoint is missing")]
    [InlineData("tcp://300.1.1.1:1", "'300.1.1.1' is not a valid IPv4 address")]
    public void TryParseReturnsTheSameMessageParseWouldThrow(string? text, string expected)
    {
        Assert.False(SdEndpoint.TryParse(text, out var endpoint, out var error));
        Assert.Null(endpoint);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (text is not null) Assert.Equal(Assert.Throws<SdException>(() => SdEndpoint.Parse(text)).Message, error);
    }
}
