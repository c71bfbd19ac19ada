using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDispatcher.Handoff;
using SocketDispatcher.Listening;
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
        using var channel = new HandoffChannel(await listening.AcceptAsync().Within());
        channel.Start("test-listener");

        using (var hello = await channel.Records.ReadAsync().Within())
        {
            Assert.Equal("HELLO", hello.Message!.Command);
            Assert.Equal(_process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), hello.Message.GetParameter("pid"));
        }

        channel.Send(new SdMessage("CONFIG", [new("max_line", "65536")]));
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
        var accepted = await server.AcceptSocketAsync().Within();
        channel.Send(new SdMessage("CONNECTION", [new("id", "1"), new("peer", accepted.RemoteEndPoint!.ToString()!), new("tls", "false")]), accepted.SafeHandle);
        using (var confirmation = await channel.Records.ReadAsync().Within())
        {
            Assert.Equal("ACCEPTED id=1", confirmation.Message!.ToString());
        }

        accepted.Dispose(); // the listener's copy goes once ACCEPTED came
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
        Assert.Equal("HI", await reader.ReadLineAsync().Within());
        await client.GetStream().WriteAsync("DAD\n"u8.ToArray()).Within();
        Assert.Equal("CLIMB", await reader.ReadLineAsync().Within());

        channel.Send(new SdMessage("EXIT", [new("drain", "0")]));
        await _process.WaitForExitAsync().Within();
        Assert.Equal(0, _process.ExitCode);
    }

    [Fact]
    public async Task ConnectionsReceivedTogetherAreConfirmedWithOneAcceptedAndReportedWithOneClosed()
    {
        var handoff = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = SocketBinder.Listen(handoff, 4, SocketType.Seqpacket);
        _process = StartDispatcher(handoff, "greet");
        using var channel = new HandoffChannel(await listening.AcceptAsync().Within());
        channel.Start("test-listener");
        (await channel.Records.ReadAsync().Within()).Dispose(); // HELLO
        channel.Send(new SdMessage("CONFIG", [new("max_line", "65536")]));

        // Stopped, the dispatcher cannot read: the three records wait in its queue and come in one recvmmsg.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var clients = new List<TcpClient>();
        TestListener.Signal(_process.Id, "STOP");
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).Within();
                using var accepted = await server.AcceptSocketAsync().Within();
                channel.Send(new SdMessage("CONNECTION", [new("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("peer", accepted.RemoteEndPoint!.ToString()!), new("family", "inet"), new("tls", "false")]), accepted.SafeHandle);
            }
        }
        finally
        {
            TestListener.Signal(_process.Id, "CONT");
        }

        using (var confirmation = await channel.Records.ReadAsync().Within())
        {
            Assert.Equal("ACCEPTED id=1,2,3", confirmation.Message!.ToString());
        }

        using (var closed = await channel.Records.ReadAsync().Within())
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
    public async Task DispatcherExitsWhenTheListenerGoesAway()
    {
        var handoff = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = SocketBinder.Listen(handoff, 4, SocketType.Seqpacket);
        _process = StartDispatcher(handoff);
        var channel = new HandoffChannel(await listening.AcceptAsync().Within());
        channel.Start("test-listener");
        (await channel.Records.ReadAsync().Within()).Dispose();
        channel.Dispose();
        await _process.WaitForExitAsync().Within();
        Assert.Equal(0, _process.ExitCode);
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) _process.Kill();
        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
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
