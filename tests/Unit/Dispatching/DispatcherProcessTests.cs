using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;
using SocketDispatcher.Listening;
using SocketDispatcher.Tests.Handoff;
using SocketDispatcher.Tests.Listening;

namespace SocketDispatcher.Tests.Dispatching;

/// <summary>A real <c>sd dispatch</c> process, fed by this test acting as the listener.</summary>
public sealed class DispatcherProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-test-").FullName;
    private Process? _process;

    [Fact]
    public async Task SocketHandedToADispatcherProcessCarriesTheConversationBothWays()
    {
        var handoff = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = SocketBinder.Listen(handoff, 4, SocketType.Seqpacket);
        _process = StartDispatcher(handoff);
        using var inbox = new RecordInbox(new HandoffChannel(await listening.AcceptAsync().Within()), "test-listener");
        var channel = inbox.Channel;

        using (var hello = await inbox.Records.ReadAsync().Within())
        {
            Assert.True(HelloRecord.TryRead(hello.Message!, out var said, out var error), error);
            Assert.Equal(_process.Id, said.Pid);
        }

        channel.Send(new ConfigRecord(65536).Write());
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
        var accepted = await server.AcceptSocketAsync().Within();
        channel.Send(Connection(1, accepted.RemoteEndPoint!.ToString()!, "inet"), accepted.SafeHandle);
        using (var confirmation = await inbox.Records.ReadAsync().Within())
        {
            Assert.Equal("ACCEPTED id=1", confirmation.Message!.ToString());
        }

        accepted.Dispose(); // the listener's copy goes once ACCEPTED came
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
        Assert.Equal("HI", await reader.ReadLineAsync().Within());
        await client.GetStream().WriteAsync("DAD\n"u8.ToArray()).Within();
        Assert.Equal("CLIMB", await reader.ReadLineAsync().Within());

        channel.Send(new ExitRecord(TimeSpan.Zero).Write());
        await _process.WaitForExitAsync().Within();
        Assert.Equal(0, _process.ExitCode);
    }

    [Fact]
    public async Task TcpConnectionsReceivedTogetherAndGreetedAreReportedWithOneClosed()
    {
        await using var listener = await StartGreeterAsync();

        // Stopped, the dispatcher cannot read: the three records wait in its queue and come in one recvmmsg.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var clients = new List<TcpClient>();
        TestListener.Signal(_process!.Id, "STOP");
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
                using var accepted = await server.AcceptSocketAsync().Within();
                listener.Channel.Send(Connection(i, accepted.RemoteEndPoint!.ToString()!, "inet"), accepted.SafeHandle);
            }
        }
        finally
        {
            TestListener.Signal(_process.Id, "CONT");
        }

        // Greeted and closed within the batch: CLOSED confirms them too, no ACCEPTED of their own.
        using (var closed = await listener.Records.ReadAsync().Within())
        {
            Assert.Equal("CLOSED id=1,2,3", closed.Message!.ToString());
        }

        foreach (var client in clients)
        {
            using (client)
            {
                using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
                Assert.Equal("HI", await reader.ReadLineAsync().Within());
                Assert.Null(await reader.ReadLineAsync().Within()); // greeted, then closed with a FIN
            }
        }
    }

    [Fact]
    public async Task EveryGreetedConnectionIsReportedClosedOnceEvenWhenTrafficStops()
    {
        await using var listener = await StartGreeterAsync();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();

        // One at a time: the reports wait to go out with later ones, and the last ones go when nothing more comes.
        for (var i = 1; i <= 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
            using (var accepted = await server.AcceptSocketAsync().Within())
            {
                listener.Channel.Send(Connection(i, accepted.RemoteEndPoint!.ToString()!, "inet"), accepted.SafeHandle);
            }

            using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
            Assert.Equal("HI", await reader.ReadLineAsync().Within());
        }

        var reported = new List<string>();
        while (reported.Count < 20)
        {
            using var record = await listener.Records.ReadAsync().Within();
            Assert.Equal("CLOSED", record.Message!.Command);
            Assert.True(ClosedRecord.TryRead(record.Message, out var closed, out var error), error);
            reported.AddRange(closed.Ids.Select(id => id.Text));
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), reported);
    }

    [Fact]
    public async Task UnixConnectionIsConfirmedBeforeItsConversation()
    {
        await using var listener = await StartGreeterAsync();
        var (client, handed) = NativeSockets.CreateSocketPair(SocketType.Stream);
        using var peer = new Socket(client);
        using (handed)
        {
            listener.Channel.Send(Connection(1, "pid=1,uid=0", "unix"), handed);
        }

        // The listener cannot check an AF_UNIX socket with TCP_INFO: ACCEPTED comes on its own, before the greeting's CLOSED.
        using (var accepted = await listener.Records.ReadAsync().Within())
        {
            Assert.Equal("ACCEPTED id=1", accepted.Message!.ToString());
        }

        using (var closed = await listener.Records.ReadAsync().Within())
        {
            Assert.Equal("CLOSED id=1", closed.Message!.ToString());
        }

        var buffer = new byte[16];
        var count = await peer.ReceiveAsync(buffer).Within();
        Assert.Equal("HI\n", Encoding.ASCII.GetString(buffer, 0, count));
    }

    [Fact]
    public async Task BadConnectionRecordIsRefusedItsSocketClosedAndTheNextOneServed()
    {
        await using var listener = await StartGreeterAsync();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var refused = new TcpClient();
        await refused.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
        using (var accepted = await server.AcceptSocketAsync().Within())
        {
            var bad = Connection(1, accepted.RemoteEndPoint!.ToString()!, "inet").Replace("family=inet", "family=ipx", StringComparison.Ordinal);
            listener.Channel.Send(bad, accepted.SafeHandle);
        }

        using var served = new TcpClient();
        await served.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
        using (var accepted = await server.AcceptSocketAsync().Within())
        {
            listener.Channel.Send(Connection(2, accepted.RemoteEndPoint!.ToString()!, "inet"), accepted.SafeHandle);
        }

        // Nothing is reported for the bad record (no '?' id): only connection 2.
        using (var closed = await listener.Records.ReadAsync().Within())
        {
            Assert.Equal("CLOSED id=2", closed.Message!.ToString());
        }

        var buffer = new byte[16];
        Assert.Equal(0, await refused.GetStream().ReadAsync(buffer).Within()); // closed with a FIN, never greeted
        using var reader = new StreamReader(served.GetStream(), Encoding.UTF8);
        Assert.Equal("HI", await reader.ReadLineAsync().Within());
    }

    [Fact]
    public async Task DispatcherExitsWhenTheListenerGoesAway()
    {
        var handoff = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = SocketBinder.Listen(handoff, 4, SocketType.Seqpacket);
        _process = StartDispatcher(handoff);
        var inbox = new RecordInbox(new HandoffChannel(await listening.AcceptAsync().Within()), "test-listener");
        (await inbox.Records.ReadAsync().Within()).Dispose();
        inbox.Dispose();
        await _process.WaitForExitAsync().Within();
        Assert.Equal(0, _process.ExitCode);
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) _process.Kill();
        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A CONNECTION record as the listener writes it, for a plain connection.</summary>
    private static string Connection(int id, string peer, string family)
    {
        Assert.True(ConnectionRecord.TryParseFamily(family, out var addressFamily));
        var endpoint = addressFamily == AddressFamily.Unix ? "unix:/run/sd/test.sock" : "tcp://127.0.0.1:4040";
        return new ConnectionRecord(ConnectionId.FromNumber(id), endpoint, addressFamily, "127.0.0.1:4040", peer, Tls: false).Write();
    }

    /// <summary>A greet dispatcher process joined to a handoff socket this test listens on, past HELLO and CONFIG.</summary>
    private async Task<FakeListener> StartGreeterAsync()
    {
        var handoff = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        var listening = SocketBinder.Listen(handoff, 4, SocketType.Seqpacket);
        _process = StartDispatcher(handoff, "greet");
        var inbox = new RecordInbox(new HandoffChannel(await listening.AcceptAsync().Within()), "test-listener");
        (await inbox.Records.ReadAsync().Within()).Dispose(); // HELLO
        inbox.Channel.Send(new ConfigRecord(65536).Write());
        return new FakeListener(listening, inbox);
    }

    private sealed record FakeListener(Socket Listening, RecordInbox Inbox) : IAsyncDisposable
    {
        public HandoffChannel Channel => Inbox.Channel;

        public System.Threading.Channels.ChannelReader<HandoffRecord> Records => Inbox.Records;

        public ValueTask DisposeAsync()
        {
            Inbox.Dispose();
            Listening.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static Process StartDispatcher(SdEndpoint handoff, string handler = "conversation")
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sd")) { RedirectStandardError = true };
        foreach (var argument in new[] { "dispatch", "--handoff", handoff.ToString(), "--handler", handler }) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }
}
