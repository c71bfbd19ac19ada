using System.Net;
using System.Net.Sockets;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Tests.Interop;

/// <summary>
/// <see cref="NativeSockets.Accept"/> and <see cref="SocketDescriptor"/>: the listener's accept path
/// keeps no .NET Socket, so the peer address it reports and the way it closes its copy are its own.
/// </summary>
public sealed class RawAcceptTests : IDisposable
{
    private readonly Socket _listening = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RawAcceptTests()
    {
        _listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listening.Listen(8);
    }

    [Fact]
    public async Task AcceptReportsThePeerAddressAsIPEndPointWritesIt()
    {
        await _client.ConnectAsync(_listening.LocalEndPoint!).Within();
        var address = new byte[NativeSockets.SocketAddressBytes];
        using var accepted = NativeSockets.Accept(_listening.SafeHandle, address, out var length);

        Assert.Equal(AddressFamily.InterNetwork, NativeSockets.FamilyOf(address.AsSpan(0, length)));
        Assert.Equal(_client.LocalEndPoint!.ToString(), NativeSockets.ToIPEndPoint(address.AsSpan(0, length))!.ToString());
        Assert.Equal(_listening.LocalEndPoint!.ToString(), NativeSockets.GetLocalEndPoint(accepted));
        Assert.True(NativeSockets.IsCloseOnExec(accepted));
        Assert.True(NativeSockets.IsUntouched(accepted));
    }

    [Fact]
    public async Task ReleasingTheAcceptedDescriptorEndsTheConnectionWithFinNotReset()
    {
        // A reset here would mean an abortive close (SO_LINGER{1,0}): in the listener that turns the
        // dispatcher's later close into a RST (docs/handoff-protocol.md, pitfall 1).
        await _client.ConnectAsync(_listening.LocalEndPoint!).Within();
        var address = new byte[NativeSockets.SocketAddressBytes];
        var accepted = NativeSockets.Accept(_listening.SafeHandle, address, out _);
        accepted.Dispose();

        var buffer = new byte[1];
        Assert.Equal(0, await _client.ReceiveAsync(buffer.AsMemory()).Within());
    }

    public void Dispose()
    {
        _client.Dispose();
        _listening.Dispose();
    }
}
