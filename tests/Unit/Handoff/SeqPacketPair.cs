using System.Net.Sockets;
using System.Threading.Channels;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>Two connected handoff channels over a real AF_UNIX SOCK_SEQPACKET socket in a temporary folder.</summary>
internal sealed class SeqPacketPair : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-test-").FullName;
    private readonly RecordInbox? _inbox;

    /// <param name="start">Starts the receiver reading into <see cref="Records"/>; false leaves it to the test.</param>
    public SeqPacketPair(bool start = true)
    {
        var endpoint = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listening.Bind(endpoint.ToEndPoint());
        listening.Listen(1);
        Sender = HandoffChannel.Connect(endpoint);
        Receiver = new HandoffChannel(listening.Accept());
        if (start) _inbox = new RecordInbox(Receiver, "test-receive");
    }

    public HandoffChannel Sender { get; }

    public HandoffChannel Receiver { get; }

    /// <summary>What the receiver read, one record at a time (only when started by the pair).</summary>
    public ChannelReader<HandoffRecord> Records => _inbox?.Records ?? throw new InvalidOperationException("the test starts the receiver itself");

    public async Task<HandoffRecord> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Records.ReadAsync(timeout.Token);
    }

    public void Dispose()
    {
        Sender.Dispose();
        if (_inbox is not null) _inbox.Dispose();
        else Receiver.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
