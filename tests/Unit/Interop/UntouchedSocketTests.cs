using System.Net;
using System.Net.Sockets;
using SocketDispatcher.Interop;

namespace SocketDispatcher.Tests.Interop;

/// <summary>
/// <see cref="NativeSockets.IsUntouched(System.Runtime.InteropServices.SafeHandle)"/> on real loopback TCP connections: it decides whether a
/// connection whose dispatcher died may be handed again, so a wrong offset in struct tcp_info would
/// either lose connections or hand a used one twice.
/// </summary>
public sealed class UntouchedSocketTests : IDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private Socket? _accepted;

    [Fact]
    public async Task FreshlyAcceptedConnectionIsUntouched()
    {
        var accepted = await ConnectAsync();
        Assert.True(NativeSockets.IsUntouched(accepted));
    }

    [Fact]
    public async Task ConnectionWhoseClientSpokeFirstIsUntouchedUntilRead()
    {
        var accepted = await ConnectAsync();
        await _client.SendAsync("hello\n"u8.ToArray()).Within();
        await Bounded.Until(() => accepted.Available == 6, "the six bytes arrive");
        Assert.True(NativeSockets.IsUntouched(accepted));

        var buffer = new byte[1];
        Assert.Equal(1, await accepted.ReceiveAsync(buffer).Within());
        Assert.False(NativeSockets.IsUntouched(accepted));
    }

    [Fact]
    public async Task ConnectionWrittenToIsTouched()
    {
        var accepted = await ConnectAsync();
        await accepted.SendAsync("HI\n"u8.ToArray()).Within();
        Assert.False(NativeSockets.IsUntouched(accepted));
    }

    [Fact]
    public void UnixSocketIsNeverTakenForUntouched()
    {
        // No TCP_INFO to prove that nothing was read or written: the safe answer is "touched".
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Assert.False(NativeSockets.IsUntouched(unix));
    }

    public void Dispose()
    {
        _accepted?.Dispose();
        _client.Dispose();
        _server.Stop();
    }

    private async Task<Socket> ConnectAsync()
    {
        _server.Start();
        await _client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_server.LocalEndpoint).Port).Within();
        _accepted = await _server.AcceptSocketAsync().Within();
        return _accepted;
    }
}
