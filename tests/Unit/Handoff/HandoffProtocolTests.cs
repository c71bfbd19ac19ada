using System.Net.Sockets;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>
/// The wire text of CONNECTION, ACCEPTED and CLOSED, byte for byte: what the record types write must
/// not change within a version, or old and new processes would not understand each other.
/// </summary>
public sealed class HandoffProtocolTests
{
    [Fact]
    public void RecordsAreTheseBytes()
    {
        Assert.True(ConnectionId.TryParse("17", out var id));
        Assert.Equal(
            "CONNECTION endpoint=tcp://127.0.0.1:4040;family=inet;id=17;local=127.0.0.1:4040;peer=127.0.0.1:51234;tls=false",
            new ConnectionRecord(id, "tcp://127.0.0.1:4040", System.Net.Sockets.AddressFamily.InterNetwork, "127.0.0.1:4040", "127.0.0.1:51234", false).Write());
        Assert.Equal("HELLO capacity=100;pid=42", new HelloRecord(42, 100).Write());
        Assert.Equal("CONFIG cert=/c.pem;max_line=65536", new ConfigRecord(65536, "/c.pem").Write());
        Assert.Equal("ACCEPTED id=4,5", new AcceptedRecord([ConnectionId.FromNumber(4), ConnectionId.FromNumber(5)]).Write());
        Assert.Equal("CLOSED id=4", new ClosedRecord([ConnectionId.FromNumber(4)]).Write());
        Assert.Equal("ALIVE serial=3", new AliveRecord(3).Write());
        Assert.Equal("EXIT drain=30000", new ExitRecord(TimeSpan.FromSeconds(30)).Write());
        Assert.Equal("QUIT reason=\"a; b\"", new QuitRecord("a; b").Write());
        Assert.Equal("LOG", new LogRecord().Write());
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:4040", "inet", "127.0.0.1:4040", "127.0.0.1:51234", false)]
    [InlineData("tls://[::1]:4041", "inet6", "[::1]:4041", "[::1]:40000", true)]
    [InlineData("unix:/tmp/with;semicolon and space.sock", "unix", "/tmp/with;semicolon and space.sock", "pid=42,uid=1000", false)]
    [InlineData("unix:@\"quoted\\name", "unix", " leading space", "trailing\r\n", false)]
    public void ConnectionRecordIsWhatTheMessageWriterWrites(string endpoint, string family, string local, string peer, bool tls)
    {
        var expected = new SdMessage("CONNECTION", [
            new("id", "17"), new("peer", peer), new("local", local), new("endpoint", endpoint), new("family", family), new("tls", tls ? "true" : "false"),
        ]).ToString();

        Assert.True(ConnectionId.TryParse("17", out var id));
        Assert.True(ConnectionRecord.TryParseFamily(family, out var addressFamily));
        var record = new ConnectionRecord(id, endpoint, addressFamily, local, peer, tls).Write();

        Assert.Equal(expected, record);
        Assert.Equal(peer, SdMessage.Parse(record).GetParameter("peer"));
        Assert.Equal(local, SdMessage.Parse(record).GetParameter("local"));
    }

    [Fact]
    public void AcceptedAndClosedNameOneConnectionOrSeveral()
    {
        ConnectionId[] one = [ConnectionId.FromNumber(4)];
        ConnectionId[] three = [ConnectionId.FromNumber(4), ConnectionId.FromNumber(5), ConnectionId.FromNumber(6)];
        Assert.Equal("CLOSED id=4", new ClosedRecord(one).Write());
        var several = new AcceptedRecord(three).Write();
        Assert.Equal("ACCEPTED id=4,5,6", several);

        Assert.True(AcceptedRecord.TryRead(SdMessage.Parse(several), out var accepted, out _));
        Assert.Equal(three, accepted.Ids);
        Assert.False(ClosedRecord.TryRead(new SdMessage("CLOSED"), out _, out var error));
        Assert.Equal("CLOSED without 'id'", error);
    }

    [Fact]
    public void RecordCommandsAreTheProtocolsWords()
    {
        Assert.Equal(
            ["HELLO", "CONFIG", "CONNECTION", "ACCEPTED", "CLOSED", "ALIVE", "ABSOLUTELY", "EXIT", "QUIT", "LOG"],
            [HelloRecord.Command, ConfigRecord.Command, ConnectionRecord.Command, AcceptedRecord.Command, ClosedRecord.Command,
             AliveRecord.Command, AbsolutelyRecord.Command, ExitRecord.Command, QuitRecord.Command, LogRecord.Command]);
        Assert.Equal("unix", ConnectionRecord.NameOf(AddressFamily.Unix));
    }
}
