using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketDispatcher.Bench;

/// <summary>Small TCP checks on 127.0.0.1: a free port, and "does the server greet yet".</summary>
internal static class Probe
{
    /// <summary>A port the kernel just gave out for 127.0.0.1 (bind to 0, read it back, release it).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Connects until the server sends its first bytes (a greeting), bounded by <paramref name="limit"/>.</summary>
    public static async Task WaitForGreetingAsync(int port, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string last = "nothing tried";
        while (clock.Elapsed < limit)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token).ConfigureAwait(false);
                var buffer = new byte[64];
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, attempt.Token).ConfigureAwait(false) > 0) return;
                last = "closed without a greeting";
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new BenchException($"127.0.0.1:{port} sent no greeting within {limit.TotalSeconds:F0} s (last: {last})");
    }
}
