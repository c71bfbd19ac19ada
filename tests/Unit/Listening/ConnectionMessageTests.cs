using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Handoff;
using SocketDispatcher.Tests.Handoff;

namespace SocketDispatcher.Tests.Listening;

/// <summary>
/// The CONNECTION message names the endpoint a connection came from and its family, and an AF_UNIX
/// client's peer is its SO_PEERCRED pid and uid (issue 6). A test dispatcher (a raw handoff channel)
/// reads what the listener sends.
/// </summary>
public sealed class ConnectionMessageTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-conn-").FullName;
    private SdListener _listener = null!;
    private RecordInbox _dispatcher = null!;

    public async Task InitializeAsync()
    {
        var options = new SdListenerOptions { Dispatchers = 0, RuntimeDirectory = Path.Combine(_folder, "run") };
        options.Endpoints.Add(SdEndpoint.Parse("tcp://127.0.0.1:0"));
        options.Endpoints.Add(SdEndpoint.Parse("tcp://[::1]:0"));
        options.Endpoints.Add(SdEndpoint.ForUnixPath(Path.Combine(_folder, "x.sock")));
        _listener = await SdListener.StartAsync(options, NullLoggerFactory.Instance).Within();
        _dispatcher = new RecordInbox(HandoffChannel.Connect(_listener.Handoff), "test-dispatcher");
        _dispatcher.Channel.Send(new SdMessage("HELLO", [new("pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("capacity", "100")]));
        using var config = await _dispatcher.Records.ReadAsync().AsTask().Within();
        Assert.Equal("CONFIG", config.Message!.Command);
    }

    public async Task DisposeAsync()
    {
        _dispatcher.Dispose();
        await _listener.DisposeAsync().AsTask().Within();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(0, "inet")]
    [InlineData(1, "inet6")]
    [InlineData(2, "unix")]
    public async Task ConnectionMessageNamesTheEndpointAndItsFamily(int index, string family)
    {
        var endpoint = _listener.Endpoints[index];
        using var client = endpoint.IsUnix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(((IPEndPoint)endpoint.ToEndPoint()).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint.ToEndPoint()).Within();

        using var record = await _dispatcher.Records.ReadAsync().AsTask().Within();
        var message = record.Message!;
        Assert.Equal("CONNECTION", message.Command);
        Assert.Equal(endpoint.ToString(), message.GetParameter("endpoint"));
        Assert.Equal(family, message.GetParameter("family"));
        var expectedPeer = endpoint.IsUnix ? $"pid={Environment.ProcessId},uid={SocketDispatcher.Interop.NativeSockets.GetUserId()}" : client.LocalEndPoint!.ToString();
        Assert.Equal(expectedPeer, message.GetParameter("peer"));
        _dispatcher.Channel.Send(new SdMessage("ACCEPTED", [new("id", message.GetParameter("id")!)]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task HandedTcpSocketHasNoDelayFromTheListeningSocket(int index)
    {
        // Dispatchers do not set TCP_NODELAY per connection: accepted sockets inherit it (tcp(7)).
        var endpoint = _listener.Endpoints[index];
        using var client = new Socket(((IPEndPoint)endpoint.ToEndPoint()).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(endpoint.ToEndPoint()).Within();

        using var record = await _dispatcher.Records.ReadAsync().AsTask().Within();
        using var handed = new Socket(record.TakeSocketHandle()!);
        Assert.True(handed.NoDelay);
        _dispatcher.Channel.Send(new SdMessage("CLOSED", [new("id", record.Message!.GetParameter("id")!)]));
    }
}
