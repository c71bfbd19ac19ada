using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

public sealed class HandoffProtocolTests
{
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

        var record = HandoffProtocol.ConnectionRecord("17", endpoint, family, local, peer, tls);

        Assert.Equal(expected, record);
        Assert.Equal(peer, SdMessage.Parse(record).GetParameter("peer"));
        Assert.Equal(local, SdMessage.Parse(record).GetParameter("local"));
    }

    [Fact]
    public void AcceptedAndClosedNameOneConnectionOrSeveral()
    {
        Assert.Equal("CLOSED id=4", HandoffProtocol.ForConnections(HandoffProtocol.Closed, ["4"]).ToString());
        var several = HandoffProtocol.ForConnections(HandoffProtocol.Accepted, ["4", "5", "6"]);
        Assert.Equal("ACCEPTED id=4,5,6", several.ToString());
        Assert.Equal(["4", "5", "6"], HandoffProtocol.ConnectionIds(SdMessage.Parse(several.ToString())));
        Assert.Empty(HandoffProtocol.ConnectionIds(new SdMessage("CLOSED")));
    }
}
