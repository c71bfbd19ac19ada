using System.Net.Sockets;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>Two connected handoff channels over a real AF_UNIX SOCK_SEQPACKET socket in a temporary folder.</summary>
internal sealed class SeqPacketPair : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-test-").FullName;

    /// <param name="start">Starts the receiver reading into its Records; false leaves it to the test.</param>
    public SeqPacketPair(bool start = true)
    {
        var endpoint = SdEndpoint.ForUnixPath(Path.Combine(_folder, "handoff.sock"));
        using var listening = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listening.Bind(endpoint.ToEndPoint());
        listening.Listen(1);
        Sender = HandoffChannel.Connect(endpoint);
        Receiver = new HandoffChannel(listening.Accept());
        if (start) Receiver.Start("test-receive");
    }

    public HandoffChannel Sender { get; }

    public HandoffChannel Receiver { get; }

    public async Task<HandoffRecord> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Receiver.Records.ReadAsync(timeout.Token);
    }

    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
