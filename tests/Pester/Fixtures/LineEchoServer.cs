// A small in-process peer for the client cmdlet tests: a TCP (optionally TLS) server on a loopback
// port chosen by the kernel. Each connection is greeted with "HI", then every line is sent back as
// it came; the line "CLOSE" closes the connection. Lines received are kept for the tests to read.
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SdTests
{
    public sealed class LineEchoServer : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _connections;

        public LineEchoServer(string certificatePath = null, string keyPath = null)
        {
            if (certificatePath != null) _certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptLoopAsync();
        }

        public int Port { get; }

        public int Connections => Volatile.Read(ref _connections);

        public ConcurrentQueue<string> Received { get; } = new ConcurrentQueue<string>();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    Stream stream = client.GetStream();
                    if (_certificate != null)
                    {
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                        stream = ssl;
                    }

                    using (stream)
                    {
                        var reader = new StreamReader(stream, new UTF8Encoding(false));
                        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
                        await writer.WriteLineAsync("HI");
                        string line;
                        while ((line = await reader.ReadLineAsync(_stop.Token)) != null)
                        {
                            Received.Enqueue(line);
                            if (line == "CLOSE") return;
                            await writer.WriteLineAsync(line);
                        }
                    }
                }
                catch (Exception)
                {
                    // A client that goes away, or the server stopping: nothing to report.
                }
            }
        }
    }
}
