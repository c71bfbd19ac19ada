using System.Net.Sockets;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

public sealed class ConnectionRecordTests
{
    [Theory]
    [InlineData(1L, "tcp://127.0.0.1:4040", AddressFamily.InterNetwork, "127.0.0.1:4040", "127.0.0.1:51234", false)]
    [InlineData(9_223_372_036_854_775_807L, "tls://[::1]:4041", AddressFamily.InterNetworkV6, "[::1]:4041", "[::1]:40000", true)]
    [InlineData(0L, "unix:@\"quoted\\name", AddressFamily.Unix, " leading space;", "trailing\r\n", false)]
    [InlineData(42L, "unix:/run/sd.sock", AddressFamily.Unix, "", "", false)]
    public void ConnectionRecordReadsBackWhatItWrites(long number, string endpoint, AddressFamily family, string local, string peer, bool tls)
    {
        var written = new ConnectionRecord(ConnectionId.FromNumber(number), endpoint, family, local, peer, tls);

        Assert.True(ConnectionRecord.TryRead(SdMessage.Parse(written.Write()), out var read, out var error), error);

        Assert.Equal(written, read);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("CONNECTION endpoint=e;family=inet;local=l;peer=p;tls=false", "CONNECTION without 'id'")]
    [InlineData("CONNECTION endpoint=e;family=inet;id=;local=l;peer=p;tls=false", "CONNECTION: 'id' is not a connection id: ''")]
    [InlineData("CONNECTION endpoint=e;family=inet;id=?;local=l;peer=p;tls=false", "CONNECTION: 'id' is not a connection id: '?'")]
    [InlineData("CONNECTION endpoint=e;family=inet;id=-4;local=l;peer=p;tls=false", "CONNECTION: 'id' is not a connection id: '-4'")]
    [InlineData("CONNECTION endpoint=e;family=inet;id=12345678901234567890;local=l;peer=p;tls=false", "CONNECTION: 'id' is not a connection id: '12345678901234567890'")]
    [InlineData("CONNECTION endpoint=e;family=ipx;id=3;local=l;peer=p;tls=false", "CONNECTION 3: 'family' is not inet, inet6 or unix: 'ipx'")]
    [InlineData("CONNECTION endpoint=e;family=INET;id=3;local=l;peer=p;tls=false", "CONNECTION 3: 'family' is not inet, inet6 or unix: 'INET'")]
    [InlineData("CONNECTION endpoint=e;id=3;local=l;peer=p;tls=false", "CONNECTION without 'family'")]
    [InlineData("CONNECTION family=unix;id=3;local=l;peer=p;tls=false", "CONNECTION without 'endpoint'")]
    [InlineData("CONNECTION endpoint=e;family=unix;id=3;peer=p;tls=false", "CONNECTION without 'local'")]
    [InlineData("CONNECTION endpoint=e;family=unix;id=3;local=l;tls=false", "CONNECTION without 'peer'")]
    [InlineData("CONNECTION endpoint=e;family=unix;id=3;local=l;peer=p", "CONNECTION without 'tls'")]
    [InlineData("CONNECTION endpoint=e;family=unix;id=3;local=l;peer=p;tls=yes", "CONNECTION: 'tls' is neither true nor false: 'yes'")]
    [InlineData("ACCEPTED id=3", "expected CONNECTION, got 'ACCEPTED'")]
    public void MalformedConnectionRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(ConnectionRecord.TryRead(SdMessage.Parse(text), out var record, out var error));
        Assert.Equal(reason, error);
        Assert.Equal(default, record);
    }

    [Fact]
    public void BadValueIsShownOnOneLineAndShortened()
    {
        var text = new ConnectionRecord(ConnectionId.FromNumber(3), "e", AddressFamily.Unix, "l", "p", false).Write()
            .Replace("family=unix", "family=" + MessageWriterEscape("a\nb" + new string('x', 100)), StringComparison.Ordinal);

        Assert.False(ConnectionRecord.TryRead(SdMessage.Parse(text), out _, out var error));

        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("CONNECTION 3: 'family' is not inet, inet6 or unix: 'a\\nbxxx", error, StringComparison.Ordinal);
        Assert.EndsWith("...'", error, StringComparison.Ordinal);
        Assert.True(error.Length < 130, error); // at most 64 characters of the value
    }

    [Fact]
    public void ConnectionIdIsDecimalDigitsOnly()
    {
        Assert.True(ConnectionId.TryParse("0017", out var id));
        Assert.Equal("0017", id.Text);
        Assert.NotEqual(ConnectionId.FromNumber(17), id); // the listener's text, echoed as it is
        Assert.Equal(ConnectionId.FromNumber(17), ConnectionId.TryParse("17", out var same) ? same : default);
        foreach (var bad in new[] { null, "", " 1", "1 ", "+1", "1.0", "١", "12345678901234567890" })
        {
            Assert.False(ConnectionId.TryParse(bad, out _), bad);
        }
    }

    private static string MessageWriterEscape(string value) => new SdMessage("X", [new("v", value)]).ToString()["X v=".Length..];
}
