using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketDispatcher.Dispatching;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Tests.Dispatching;

/// <summary>The dispatcher's own socket driving (recv/send with MSG_DONTWAIT, waits on the poller), over real loopback TCP.</summary>
public sealed class PolledSocketStreamTests
{
    [Fact]
    public async Task ReadWaitsForDataThenReturnsIt()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var stream = server;
        var buffer = new byte[16];
        var read = stream.ReadAsync(buffer).AsTask();
        Assert.False(read.IsCompleted); // nothing sent yet: it waits on the poller

        await client.SendAsync("DAD\n"u8.ToArray()).Within();
        var count = await read.Within();
        Assert.Equal("DAD\n", Encoding.ASCII.GetString(buffer, 0, count));
    }

    [Fact]
    public async Task ZeroByteReadCompletesWhenDataArrivesAndConsumesNothing()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var stream = server;
        var ready = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        Assert.False(ready.IsCompleted);

        await client.SendAsync("TOP\n"u8.ToArray()).Within();
        Assert.Equal(0, await ready.Within());
        var buffer = new byte[16];
        var count = await stream.ReadAsync(buffer).Within();
        Assert.Equal("TOP\n", Encoding.ASCII.GetString(buffer, 0, count));
    }

    [Fact]
    public async Task ReadReturnsZeroAtEndOfStream()
    {
        var (client, server) = await ConnectAsync();
        await using var stream = server;
        var read = stream.ReadAsync(new byte[16]).AsTask();
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await read.Within());
        client.Dispose();
    }

    [Fact]
    public async Task CancelingAWaitingReadThrowsAndLeavesTheStreamUsable()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var stream = server;
        using var cancel = new CancellationTokenSource();
        var read = stream.ReadAsync(new byte[16], cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.Within());

        await client.SendAsync("MOM\n"u8.ToArray()).Within();
        var buffer = new byte[16];
        var count = await stream.ReadAsync(buffer).Within();
        Assert.Equal("MOM\n", Encoding.ASCII.GetString(buffer, 0, count));
    }

    [Fact]
    public async Task WriteWaitsForRoomWhileThePeerDoesNotReadAndLosesNothing()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var stream = server;
        var payload = new byte[8 * 1024 * 1024]; // far more than the socket buffers of both ends hold (ConnectWithCopyAsync)
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)(i % 251);
        var write = stream.WriteAsync(payload).AsTask();
        Assert.False(write.IsCompleted);

        var received = new byte[payload.Length];
        var total = 0;
        while (total < received.Length) total += await client.ReceiveAsync(received.AsMemory(total)).Within();
        await write.Within();
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task DisposeSendsFinEvenWhileAnotherCopyOfTheSocketLives()
    {
        var (client, server, listenerCopy) = await ConnectWithCopyAsync();
        using var peer = client;
        using var copy = listenerCopy; // the listener holds its copy until CLOSED
        await server.WriteAsync("HI\n"u8.ToArray()).Within();
        await server.DisposeAsync();

        var buffer = new byte[16];
        var count = await client.ReceiveAsync(buffer).Within();
        Assert.Equal("HI\n", Encoding.ASCII.GetString(buffer, 0, count));
        Assert.Equal(0, await client.ReceiveAsync(buffer).Within());
    }

    [Fact]
    public async Task DisposeEndsAWaitingRead()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        var read = server.ReadAsync(new byte[16]).AsTask();
        await server.DisposeAsync();
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => read.Within());
    }

    [Fact]
    public async Task ResetByThePeerIsAnIOExceptionAroundASocketException()
    {
        var (client, server) = await ConnectAsync();
        await using var stream = server;
        var read = stream.ReadAsync(new byte[16]).AsTask();
        client.LingerState = new LingerOption(true, 0);
        client.Dispose(); // RST

        var error = await Assert.ThrowsAsync<IOException>(() => read.Within());
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
    }

    private static async Task<(Socket Client, PolledSocketStream Server)> ConnectAsync()
    {
        var (client, server, copy) = await ConnectWithCopyAsync();
        copy.Dispose();
        return (client, server);
    }

    /// <summary>A loopback connection whose server side is a polled stream on a dup of the accepted descriptor; the original stays open, as in the listener.</summary>
    private static async Task<(Socket Client, PolledSocketStream Server, SocketDescriptor ListenerCopy)> ConnectWithCopyAsync()
    {
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listening.Listen();
        // A fixed receive buffer (no autotuning): what the peer does not read fits in at most
        // 64 KiB here plus the sender's buffer (net.core.wmem_max), so a large write must wait.
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await client.ConnectAsync(listening.LocalEndPoint!).Within();
        var address = new byte[NativeSockets.SocketAddressBytes];
        var accepted = NativeSockets.Accept(listening.SafeHandle, address, out _);
        using var pair = new Handoff.SeqPacketPair();
        pair.Sender.Send(new SdMessage("CONNECTION"), accepted);
        using var record = await pair.NextAsync();
        return (client, new PolledSocketStream(record.TakeDescriptor()!, SocketPoller.Shared), accepted);
    }
}
