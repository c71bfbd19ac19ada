using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace SocketDispatcher.Tests.Tls;

/// <summary>A TCP connection over a loopback address, both ends wrapped in <see cref="SslStream"/>.</summary>
internal sealed class LoopbackTlsPair : IAsyncDisposable
{
    private LoopbackTlsPair(SslStream server, SslStream client)
    {
        Server = server;
        Client = client;
    }

    public SslStream Server { get; }

    public SslStream Client { get; }

    /// <summary>Connects over <paramref name="address"/> on a port the kernel picks.</summary>
    public static async Task<LoopbackTlsPair> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(1);
        var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
            var accepted = await listener.AcceptAsync(cancellationToken);
            return new LoopbackTlsPair(
                new SslStream(new NetworkStream(accepted, ownsSocket: true)),
                new SslStream(new NetworkStream(client, ownsSocket: true)));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs both handshakes at once and returns what each side threw, or null. A side that fails is
    /// closed, so that the other one sees the end of the stream rather than waiting for the timeout.
    /// </summary>
    public async Task<(Exception? Server, Exception? Client)> HandshakeAsync(
        SslServerAuthenticationOptions serverOptions, SslClientAuthenticationOptions clientOptions, CancellationToken cancellationToken)
    {
        var server = CaptureAsync(Server, Server.AuthenticateAsServerAsync(serverOptions, cancellationToken));
        var client = CaptureAsync(Client, Client.AuthenticateAsClientAsync(clientOptions, cancellationToken));
        return (await server, await client);
    }

    /// <summary>Sends a line from the client and reads the server's copy of it back.</summary>
    public async Task<string> ExchangeLineAsync(string line, CancellationToken cancellationToken)
    {
        await Client.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), cancellationToken);
        await Client.FlushAsync(cancellationToken);
        var buffer = new byte[line.Length + 1];
        await Server.ReadExactlyAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer).TrimEnd('\n');
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Client.DisposeAsync();
    }

    private static async Task<Exception?> CaptureAsync(SslStream stream, Task handshake)
    {
        try
        {
            await handshake;
            return null;
        }
        catch (Exception e)
        {
            await stream.DisposeAsync();
            return e;
        }
    }
}
