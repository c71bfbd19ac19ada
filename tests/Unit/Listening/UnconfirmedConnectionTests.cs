using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Handoff;
using SocketDispatcher.Tests.Handoff;

namespace SocketDispatcher.Tests.Listening;

/// <summary>
/// A dispatcher confirms a TCP connection only once its conversation started, so when it dies before
/// confirming, the listener looks at the connection itself (TCP_INFO): untouched, it goes to another
/// dispatcher; touched, its conversation was cut and it is closed, never greeted twice. Test dispatchers
/// (raw handoff channels) stand in for dispatcher processes.
/// </summary>
public sealed class UnconfirmedConnectionTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-unconfirmed-").FullName;
    private SdListener _listener = null!;

    public async Task InitializeAsync()
    {
        var options = new SdListenerOptions { Dispatchers = 0, RuntimeDirectory = Path.Combine(_folder, "run") };
        options.Endpoints.Add(SdEndpoint.Parse("tcp://127.0.0.1:0"));
        _listener = await SdListener.StartAsync(options, NullLoggerFactory.Instance).Within();
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync().AsTask().Within();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task UntouchedConnectionOfADispatcherThatDiedBeforeConfirmingGoesToAnother()
    {
        var first = await JoinAsync();
        using var client = await ConnectAsync();
        using (var handed = await first.Records.ReadAsync().AsTask().Within())
        {
            Assert.Equal("CONNECTION", handed.Message!.Command);
            new Socket(handed.TakeSocketHandle()!).Dispose(); // a plain close, no I/O
        }

        using var second = await JoinAsync();
        first.Dispose(); // dies without ACCEPTED
        using var again = await second.Records.ReadAsync().AsTask().Within();
        Assert.Equal("CONNECTION", again.Message!.Command);
        Assert.Equal(client.LocalEndPoint!.ToString(), again.Message.GetParameter("peer"));
        Assert.Equal(1, _listener.Rehanded);

        using var socket = new Socket(again.TakeSocketHandle()!);
        await socket.SendAsync("HI\n"u8.ToArray()).Within();
        var buffer = new byte[16];
        var count = await client.ReceiveAsync(buffer).Within();
        Assert.Equal("HI\n", Encoding.ASCII.GetString(buffer, 0, count));
    }

    [Fact]
    public async Task TouchedConnectionOfADispatcherThatDiedBeforeConfirmingIsClosedNotGreetedTwice()
    {
        var first = await JoinAsync();
        using var client = await ConnectAsync();
        using (var handed = await first.Records.ReadAsync().AsTask().Within())
        {
            using var socket = new Socket(handed.TakeSocketHandle()!);
            await socket.SendAsync("HI\n"u8.ToArray()).Within(); // the conversation started
        }

        using var second = await JoinAsync();
        first.Dispose(); // dies without ACCEPTED

        var buffer = new byte[16];
        var count = await client.ReceiveAsync(buffer).Within();
        Assert.Equal("HI\n", Encoding.ASCII.GetString(buffer, 0, count));
        Assert.Equal(0, await client.ReceiveAsync(buffer).Within()); // closed with a FIN
        Assert.Equal(0, _listener.Rehanded);
        Assert.False(second.Records.TryRead(out _));
    }

    private async Task<RecordInbox> JoinAsync()
    {
        var channel = new RecordInbox(HandoffChannel.Connect(_listener.Handoff), "test-dispatcher");
        channel.Channel.Send(new SdMessage("HELLO", [new("pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("capacity", "100")]));
        using var config = await channel.Records.ReadAsync().AsTask().Within();
        Assert.Equal("CONFIG", config.Message!.Command);
        return channel;
    }

    private async Task<Socket> ConnectAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.Endpoints[0].ToEndPoint()).Within();
        return client;
    }
}
