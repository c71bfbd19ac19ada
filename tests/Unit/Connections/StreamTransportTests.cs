using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SocketDispatcher.Connections;

namespace SocketDispatcher.Tests.Connections;

/// <summary>The write path of a message stream, over real loopback TCP: batching, order, errors, cancellation, back-pressure.</summary>
public sealed class StreamTransportTests
{
    [Fact]
    public async Task AnswersToTheLinesOfOneReadGoOutInOneWrite()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        var recording = new RecordingStream(server);
        await using var connection = new StreamTransport("c1", recording, "peer", 1024, NullLogger.Instance, trace: false);
        connection.Start(line => connection.SendAsync(line.Message!.Reply("ABSOLUTELY")));

        await client.SendAsync("ALIVE\nALIVE\nALIVE\n"u8.ToArray()).Within();
        var lines = await ReadLinesAsync(client, 3);

        Assert.Equal(["ABSOLUTELY", "ABSOLUTELY", "ABSOLUTELY"], lines);
        Assert.Equal(["ABSOLUTELY\nABSOLUTELY\nABSOLUTELY\n"], recording.Writes);
    }

    [Fact]
    public async Task AHandlerThatWaitsSendsWhatWasAnsweredBeforeItAndOrderIsKept()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c2", server, "peer", 1024, NullLogger.Instance, trace: false);
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Start(async line =>
        {
            if (line.Message!.Command == "SLOW") await slow.Task;
            await connection.SendAsync(line.Message.Reply("DONE", [new("n", line.Message.Parameters["n"])]));
        });

        await client.SendAsync("FAST n=1\nSLOW n=2\nFAST n=3\nFAST n=4\n"u8.ToArray()).Within();
        var before = await ReadLinesAsync(client, 1); // while SLOW still waits
        slow.SetResult();
        var after = await ReadLinesAsync(client, 3);

        Assert.Equal(["DONE n=1"], before);
        Assert.Equal(["DONE n=2", "DONE n=3", "DONE n=4"], after);
    }

    [Fact]
    public async Task ConcurrentSendersWriteWholeLinesEachInTheOrderOfItsCalls()
    {
        const int Senders = 4;
        const int PerSender = 500;
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c3", server, "peer", 1024, NullLogger.Instance, trace: false);
        connection.Start(_ => ValueTask.CompletedTask);

        var reading = ReadLinesAsync(client, Senders * PerSender);
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                await connection.SendAsync(new SdMessage("EVENT", [new("i", i.ToString()), new("s", s.ToString()), new("text", new string('x', i % 97))]));
            }
        }))).Within();

        var next = new int[Senders];
        foreach (var line in await reading)
        {
            var message = SdMessage.Parse(line);
            var sender = int.Parse(message.Parameters["s"]);
            Assert.Equal(next[sender]++.ToString(), message.Parameters["i"]);
            Assert.Equal(new string('x', (next[sender] - 1) % 97), message.Parameters["text"]);
        }

        Assert.All(next, n => Assert.Equal(PerSender, n));
    }

    [Fact]
    public async Task ASendAfterAbortThrowsAnIOExceptionThatNamesTheReason()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c4", server, "peer", 1024, NullLogger.Instance, trace: false);
        connection.Abort("going away");
        connection.Abort("second reason");

        var error = await Assert.ThrowsAsync<IOException>(() => connection.SendAsync(new SdMessage("HI")).Within());
        Assert.Contains("going away", error.Message);
        Assert.Equal("going away", connection.CloseReason);
    }

    [Fact]
    public async Task SendingToAPeerThatIsGoneThrowsAnIOException()
    {
        var (client, server) = await ConnectAsync();
        await using var connection = new StreamTransport("c5", server, "peer", 1024, NullLogger.Instance, trace: false);

        // SO_LINGER 0 (socket(7)): the close sends an RST, and a later send fails with ECONNRESET or EPIPE.
        client.LingerState = new LingerOption(true, 0);
        client.Dispose();

        // The reset reaches the server's socket asynchronously: send until a send fails, within the deadline.
        var deadline = DateTime.UtcNow + Bounded.Deadline;
        var sent = 0;
        IOException? error = null;
        while (error is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{sent} sends to a peer that reset the connection all succeeded");
            try
            {
                await connection.SendAsync(new SdMessage("HI")).Within();
                sent++;
            }
            catch (IOException ex)
            {
                error = ex;
            }
        }

        Assert.True(SocketErrors.IsPeerError(error), error.ToString());
    }

    [Fact]
    public async Task ASendCanceledBeforeItWritesLeavesTheConnectionUsable()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c6", server, "peer", 1024, NullLogger.Instance, trace: false);
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.SendAsync(new SdMessage("LOST"), canceled.Token).Within());
        await connection.SendAsync(new SdMessage("KEPT")).Within();

        Assert.False(connection.IsClosed);
        Assert.Equal(["KEPT"], await ReadLinesAsync(client, 1));
    }

    [Fact]
    public async Task ASendWaitsForRoomWhileThePeerDoesNotReadThenLosesNothing()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c7", server, "peer", 1024, NullLogger.Instance, trace: false);
        var value = new string('v', 8 * 1024 * 1024); // far more than the socket buffers of both ends hold

        var send = connection.SendAsync(new SdMessage("BIG", [new("value", value)])).AsTask();

        // Once the client's receive buffer (64 KiB) is full, the rest of 8 MiB cannot have left the
        // server's send buffer (64 KiB, see ConnectAsync): the send must still wait.
        await Bounded.Until(() => client.Available >= 32 * 1024, "the client's receive buffer fills", () => $"{client.Available} bytes readable");
        Assert.False(send.IsCompleted, "the send should wait for the peer to read");

        var lines = await ReadLinesAsync(client, 1);
        await send.Within();
        Assert.Equal("BIG value=" + value, lines[0]);
    }

    [Fact]
    public async Task ASendCanceledWhileWaitingForRoomAbortsTheConnectionAndDisposeDoesNotWait()
    {
        var (client, server) = await ConnectAsync();
        using var peer = client;
        await using var connection = new StreamTransport("c8", server, "peer", 1024, NullLogger.Instance, trace: false);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.SendAsync(new SdMessage("BIG", [new("value", new string('v', 8 * 1024 * 1024))]), cancel.Token).Within());

        // Part of the line may be out: the connection cannot carry another message.
        Assert.True(connection.IsClosed);
        Assert.Equal("a write was canceled", connection.CloseReason);
        await Assert.ThrowsAsync<IOException>(() => connection.SendAsync(new SdMessage("HI")).Within());
        await connection.DisposeAsync().Within();
    }

    /// <summary>A loopback connection: the client socket and the server's stream, with fixed 64 KiB buffers (the client's receive, the server's send), so that what the client does not read soon blocks the sender.</summary>
    private static async Task<(Socket Client, NetworkStream Server)> ConnectAsync()
    {
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listening.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        var accepting = listening.AcceptAsync();
        await client.ConnectAsync(listening.LocalEndPoint!).Within();
        var accepted = await accepting.Within();
        accepted.NoDelay = true;
        accepted.SendBufferSize = 64 * 1024;
        return (client, new NetworkStream(accepted, ownsSocket: true));
    }

    /// <summary>Reads <paramref name="count"/> lines (without their <c>\n</c>) from <paramref name="socket"/>; fails at the deadline with what it has.</summary>
    private static async Task<List<string>> ReadLinesAsync(Socket socket, int count)
    {
        var lines = new List<string>();
        var partial = new List<byte>();
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(Bounded.Deadline);
        while (lines.Count < count)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"read {lines.Count} of {count} lines, {partial.Count} bytes of the next one");
            }

            if (read == 0) throw new IOException($"end of stream after {lines.Count} of {count} lines");
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    lines.Add(Encoding.UTF8.GetString([.. partial]));
                    partial.Clear();
                }
                else
                {
                    partial.Add(b);
                }
            }
        }

        return lines;
    }

    /// <summary>A stream that records what each write carried.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly List<string> _writes = [];

        public IReadOnlyList<string> Writes
        {
            get
            {
                lock (_writes) return [.. _writes];
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_writes) _writes.Add(Encoding.UTF8.GetString(buffer.Span));
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_writes) _writes.Add(Encoding.UTF8.GetString(buffer, offset, count));
            inner.Write(buffer, offset, count);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
