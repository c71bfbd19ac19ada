using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketDispatcher.Tests.Messages;

public sealed class MessageDatagramTests
{
    [Theory]
    [InlineData("FIRE length=-35;name=Charles")]
    [InlineData("FIRE length=-35;name=Charles\n")]
    [InlineData("FIRE length=-35;name=Charles\r\n")]
    public void ADatagramIsOneMessageWithOrWithoutItsNewline(string payload)
    {
        Assert.Equal("FIRE length=-35;name=Charles", SdMessage.ParseDatagram(Encoding.UTF8.GetBytes(payload)).ToString());
    }

    [Fact]
    public void AValueKeepsItsEscapedNewlines()
    {
        var message = new SdMessage("SET", [new("v", "line1\nline2\r\n")]);
        Assert.Equal("line1\nline2\r\n", SdMessage.ParseDatagram(Encoding.UTF8.GetBytes(message + "\n")).GetParameter("v"));
    }

    [Fact]
    public void TwoLinesInOneDatagramAreRefused()
    {
        var ex = Assert.Throws<SdMessageFormatException>(() => SdMessage.ParseDatagram("HELP\nALIVE\n"u8));
        Assert.Equal(4, ex.Position);
        Assert.Contains("one message", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadUtf8IsRefusedWithItsPosition()
    {
        Assert.False(SdMessage.TryParseDatagram([(byte)'S', (byte)'E', (byte)'T', (byte)' ', (byte)'v', (byte)'=', 0xC3, 0x28], out _, out var error));
        Assert.Equal(6, error!.Position);
    }

    [Fact]
    public void AnEmptyDatagramIsRefused()
    {
        Assert.False(SdMessage.TryParseDatagram("\n"u8, out _, out var error));
        Assert.Contains("empty", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageTravelsInOneRealUdpDatagramUpToTheDatagramSize()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var big = new SdMessage("SET", [new("v", new string('x', 60_000) + ";\n\"")]);
        var payload = Encoding.UTF8.GetBytes(big.ToString());
        await sender.SendToAsync(payload, receiver.LocalEndPoint!).Within();
        var buffer = new byte[65_535];
        var received = await receiver.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).Within();
        Assert.Equal(payload.Length, received.ReceivedBytes);
        Assert.Equal(big.GetParameter("v"), SdMessage.ParseDatagram(buffer.AsSpan(0, received.ReceivedBytes)).GetParameter("v"));
    }
}
