using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDispatcher.Handoff;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Tests.Handoff;

public sealed class HandoffChannelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task HandedSocketCarriesDataBothWaysAfterTheSenderClosesItsCopy()
    {
        using var pair = new SeqPacketPair();
        var (client, accepted) = await ConnectTcpAsync();
        using var connected = client;

        pair.Sender.Send(new SdMessage("CONNECTION", [new("id", "7")]), accepted.SafeHandle);
        accepted.Dispose(); // the listener's copy: a plain close must not end the connection
        using var record = await pair.NextAsync();

        Assert.Equal("CONNECTION", record.Message!.Command);
        Assert.Equal("7", record.Message.GetParameter("id"));
        using var handed = new Socket(record.TakeSocketHandle()!) { Blocking = true };
        var stream = client.GetStream();
        await stream.WriteAsync("DAD\n"u8.ToArray()).Within();
        var buffer = new byte[16];
        var read = await handed.ReceiveAsync(buffer).Within();
        Assert.Equal("DAD\n", Encoding.ASCII.GetString(buffer, 0, read));
        await handed.SendAsync("CLIMB\n"u8.ToArray()).Within();
        read = await stream.ReadAsync(buffer).Within();
        Assert.Equal("CLIMB\n", Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task ClosingTheHandedSocketEndsTheConnectionWithFinNotReset()
    {
        using var pair = new SeqPacketPair();
        var (client, accepted) = await ConnectTcpAsync();
        using var connected = client;
        pair.Sender.Send(new SdMessage("CONNECTION"), accepted.SafeHandle);
        accepted.Dispose();
        using var record = await pair.NextAsync();
        using (var handed = new Socket(record.TakeSocketHandle()!) { Blocking = true })
        {
            await handed.SendAsync("BYE\n"u8.ToArray()).Within();
        }

        // docs/handoff-protocol.md, pitfall 1: an abortive close anywhere would turn this EOF into ECONNRESET.
        var buffer = new byte[16];
        var stream = client.GetStream();
        var first = await stream.ReadAsync(buffer).Within();
        Assert.Equal("BYE\n", Encoding.ASCII.GetString(buffer, 0, first));
        Assert.Equal(0, await stream.ReadAsync(buffer).Within());
    }

    [Fact]
    public async Task RecordDisposedWithoutTakingItsSocketClosesItWithFinNotReset()
    {
        using var pair = new SeqPacketPair();
        var (client, accepted) = await ConnectTcpAsync();
        using var connected = client;
        pair.Sender.Send(new SdMessage("CONNECTION"), accepted.SafeHandle);
        using (var record = await pair.NextAsync())
        {
            Assert.NotNull(record.Descriptor);
        }

        // The sender's copy goes last, as the listener's does: an abortive close of the record's copy
        // (SO_LINGER{1,0} on the shared socket) would make this close a RST.
        accepted.Dispose();
        var buffer = new byte[16];
        Assert.Equal(0, await client.GetStream().ReadAsync(buffer).Within());
    }

    [Fact]
    public async Task ReceivedDescriptorIsCloseOnExec()
    {
        using var pair = new SeqPacketPair();
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        pair.Sender.Send(new SdMessage("CONNECTION"), probe.SafeHandle);
        using var record = await pair.NextAsync();
        Assert.True(NativeSockets.IsCloseOnExec(record.Descriptor!));
    }

    [Fact]
    public async Task MessageWithoutDescriptorArrivesAlone()
    {
        using var pair = new SeqPacketPair();
        pair.Sender.Send(new SdMessage("HELLO", [new("pid", "42"), new("capacity", "10")]));
        using var record = await pair.NextAsync();
        Assert.Null(record.Descriptor);
        Assert.Equal("HELLO capacity=10;pid=42", record.Message!.ToString());
    }

    [Fact]
    public async Task RecordsKeepTheirBoundariesAndOrder()
    {
        using var pair = new SeqPacketPair();
        for (var i = 0; i < 100; i++) pair.Sender.Send(new SdMessage("ACCEPTED", [new("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));
        for (var i = 0; i < 100; i++)
        {
            using var record = await pair.NextAsync();
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Message!.GetParameter("id"));
        }
    }

    [Fact]
    public async Task RecordsQueuedTogetherReachTheHandlerAsBatchesWithTheirOwnDescriptors()
    {
        using var pair = new SeqPacketPair(start: false);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (var i = 0; i < 100; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            pair.Sender.Send(new SdMessage("CONNECTION", [new("id", id)]), i % 10 == 0 ? probe.SafeHandle : null);
        }

        var seen = new List<(string Id, bool HasDescriptor)>();
        var batches = new List<int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Receiver.Start("test-batches", records =>
        {
            batches.Add(records.Count);
            foreach (var record in records)
            {
                using (record) seen.Add((record.Message!.GetParameter("id")!, record.Descriptor is not null));
            }

            if (seen.Count == 100) all.TrySetResult();
        });
        await all.Task.Within();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen.Select(s => s.Id));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i % 10 == 0), seen.Select(s => s.HasDescriptor));
        Assert.All(batches, count => Assert.InRange(count, 1, HandoffChannel.MaxRecordsPerReceive));
        Assert.True(batches.Count < 100, $"records queued together come in batches; got {batches.Count} batches");
    }

    [Fact]
    public async Task UnparsableRecordIsReportedNotDropped()
    {
        using var pair = new SeqPacketPair();
        pair.Sender.Send(new SdMessage("HELLO"));
        NativeSockets.Send(GetSocket(pair.Sender), "PING 1a=1"u8, null);
        using (await pair.NextAsync())
        {
        }

        using var record = await pair.NextAsync();
        Assert.Null(record.Message);
        Assert.Contains("digit", record.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletionEndsWithoutErrorWhenThePeerCloses()
    {
        using var pair = new SeqPacketPair();
        pair.Sender.Dispose();
        await pair.Receiver.Completion.WaitAsync(Deadline);
        Assert.True(pair.Receiver.Completion.IsCompletedSuccessfully);
        using var timeout = new CancellationTokenSource(Deadline);
        Assert.False(await pair.Records.WaitToReadAsync(timeout.Token)); // and nothing was handed for it
    }

    [Fact]
    public async Task CompletionEndsWithoutErrorWhenTheChannelIsDisposedStartedOrNot()
    {
        using var started = new SeqPacketPair();
        started.Receiver.Dispose();
        await started.Receiver.Completion.WaitAsync(Deadline);
        Assert.True(started.Receiver.Completion.IsCompletedSuccessfully);

        using var idle = new SeqPacketPair(start: false);
        Assert.False(idle.Receiver.Completion.IsCompleted);
        idle.Receiver.Dispose();
        Assert.True(idle.Receiver.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task HandlerFailureStopsTheReadingFaultsCompletionAndClosesTheBatchSocketsWithFin()
    {
        using var pair = new SeqPacketPair(start: false);
        var (client, accepted) = await ConnectTcpAsync();
        using var connected = client;
        pair.Sender.Send(new SdMessage("CONNECTION", [new("id", "1")]), accepted.SafeHandle);
        accepted.Dispose();
        var failure = new InvalidOperationException("the handler broke");
        var calls = 0;
        pair.Receiver.Start("test-failing", _ =>
        {
            Interlocked.Increment(ref calls);
            throw failure;
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pair.Receiver.Completion.WaitAsync(Deadline));
        Assert.Same(failure, error);

        // Completion ends with the reading thread: a record sent now is never handled.
        pair.Sender.Send(new SdMessage("LOG"));
        Assert.Equal(1, Volatile.Read(ref calls));

        // The record's copy was the last one: closed by the channel, plainly.
        var buffer = new byte[16];
        Assert.Equal(0, await client.GetStream().ReadAsync(buffer).Within());
    }

    [Fact]
    public void StartingTwiceIsRefused()
    {
        using var pair = new SeqPacketPair();
        Assert.Throws<InvalidOperationException>(() => pair.Receiver.Start("again", _ => { }));
    }

    [Fact]
    public void PeerCredentialsNameThisProcess()
    {
        using var pair = new SeqPacketPair();
        var peer = pair.Receiver.GetPeerCredentials();
        Assert.Equal(Environment.ProcessId, peer.ProcessId);
        Assert.Equal(NativeSockets.GetUserId(), peer.UserId);
    }

    [Fact]
    public void SendingToAGonePeerFailsWithBrokenPipe()
    {
        using var pair = new SeqPacketPair();
        pair.Receiver.Dispose();
        var error = Assert.Throws<SyscallException>(() => pair.Sender.Send(new SdMessage("ALIVE")));
        Assert.Equal("sendmsg", error.Syscall);
    }

    /// <summary>A loopback TCP connection: the client, and the server side as a listener would accept it.</summary>
    private static async Task<(TcpClient Client, Socket Accepted)> ConnectTcpAsync()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port).WaitAsync(Deadline);
        return (client, await server.AcceptSocketAsync().Within());
    }

    private static System.Runtime.InteropServices.SafeHandle GetSocket(SocketDispatcher.Handoff.HandoffChannel channel)
        => ((Socket)typeof(SocketDispatcher.Handoff.HandoffChannel).GetField("_socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(channel)!).SafeHandle;
}
