using System.Net.Sockets;
using System.Text;

namespace SocketDispatcher.Tests.Listening;

/// <summary>A client connection reading and writing lines.</summary>
internal sealed class TestClient(Socket socket) : IDisposable
{
    private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);

    public Socket Socket { get; } = socket;

    public Task<string?> ReadLineAsync(CancellationToken cancellationToken = default) => _reader.ReadLineAsync(cancellationToken).AsTask();

    public async Task SendLineAsync(string line) => await Socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n")).Within();

    public void Dispose()
    {
        _reader.Dispose();
        Socket.Dispose();
    }
}
