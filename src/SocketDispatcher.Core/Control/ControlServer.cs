using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Interop;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Control;

/// <summary>
/// Serves a router on control endpoints: the operator's way in (<c>sd signal</c>, <c>Send-SdMessage</c>).
/// A <c>unix:</c> control socket is mode 0600 and takes only peers of the same uid, or root
/// (<c>SO_PEERCRED</c>, socket(7)). A <c>tcp://</c> or <c>udp://</c> one is bound to a loopback
/// address unless remote peers are allowed, and needs the shared secret: a message without the right
/// <c>secret_code</c> is logged and gets no answer. A <c>udp://</c> one is an <see cref="SdDatagramService"/>.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly List<(SdEndpoint Endpoint, Socket Socket)> _sockets = [];
    private readonly List<SdDatagramService> _datagrams = [];
    private readonly SdMessageRouter _router;
    private readonly SdListenerOptions _options;
    private readonly ILogger _logger;
    private readonly Action<string> _requestStop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<Task> _conversations = [];
    private long _nextId;

    public ControlServer(SdMessageRouter router, SdListenerOptions options, ILogger logger, Action<string> requestStop)
    {
        _router = router;
        _options = options;
        _logger = logger;
        _requestStop = requestStop;
    }

    public IReadOnlyList<SdEndpoint> Endpoints => _sockets.Select(s => s.Endpoint).Concat(_datagrams.Select(d => d.Endpoint)).ToArray();

    /// <summary>Checks every control endpoint of <paramref name="options"/> before anything is bound.</summary>
    /// <exception cref="SdException">EndpointInvalid (not unix:, tcp:// or udp://), ControlEndpointNotLocal
    /// (not loopback without <see cref="SdListenerOptions.ControlAllowRemote"/>), SecretCodeMissing (tcp:// or
    /// udp:// without <see cref="SdListenerOptions.SecretCode"/>).</exception>
    public static void Validate(SdListenerOptions options)
    {
        if (options.SecretCode is { Length: 0 })
        {
            throw new SdException(SdErrorKind.InvalidArgument, "SecretCodeInvalid", "the secret code must not be empty");
        }

        foreach (var endpoint in options.ControlEndpoints)
        {
            if (endpoint.Kind is not (SdEndpointKind.Unix or SdEndpointKind.Tcp or SdEndpointKind.Udp))
            {
                throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"control endpoint {endpoint}: use unix:PATH, tcp://127.0.0.1:PORT or udp://127.0.0.1:PORT");
            }

            if (endpoint.IsUnix) continue;
            if (!options.ControlAllowRemote && !IsLoopback(endpoint))
            {
                throw new SdException(SdErrorKind.InvalidArgument, "ControlEndpointNotLocal", $"control endpoint {endpoint} must be bound to a loopback address such as 127.0.0.1, or allow remote peers (--control-allow-remote)");
            }

            if (options.SecretCode is null)
            {
                throw new SdException(SdErrorKind.InvalidArgument, "SecretCodeMissing", $"control endpoint {endpoint} needs a shared secret (--secret-code): senders must give it as secret_code");
            }
        }
    }

    /// <exception cref="SdException">The endpoint cannot be bound.</exception>
    public void Listen(SdEndpoint endpoint)
    {
        if (endpoint.Kind == SdEndpointKind.Udp)
        {
            var service = SdDatagramService.Start(endpoint, _router, new SdDatagramServiceOptions { SecretCode = _options.SecretCode, Trace = _options.Trace }, _logger);
            _datagrams.Add(service);
            return;
        }

        var socket = SocketBinder.Listen(endpoint, 16);
        _sockets.Add((SocketBinder.Bound(endpoint, socket), socket));
    }

    public void Start()
    {
        foreach (var (endpoint, socket) in _sockets) _loops.Add(AcceptLoopAsync(endpoint, socket));
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        foreach (var (endpoint, socket) in _sockets)
        {
            socket.Dispose();
            SocketBinder.RemoveSocketFile(endpoint);
        }

        foreach (var service in _datagrams) await service.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        Task[] conversations;
        lock (_conversations) conversations = [.. _conversations];
        await Task.WhenAll(conversations).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static bool IsLoopback(SdEndpoint endpoint) => endpoint.ToEndPoint() switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        _ => string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase),
    };

    private async Task AcceptLoopAsync(SdEndpoint endpoint, Socket listening)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listening.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                ListenerLog.AcceptFailed(_logger, endpoint.ToString(), ex.Message);
                continue;
            }

            if (!IsAllowed(socket))
            {
                socket.Dispose();
                continue;
            }

            var id = "control-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
            var remote = socket.RemoteEndPoint as IPEndPoint;
            var peer = remote?.ToString() ?? endpoint.ToString();
            var isLocal = remote is null || IPAddress.IsLoopback(remote.Address);
            // unix: peers passed the uid check; tcp:// peers prove themselves with the secret, line by line.
            Func<LineResult, bool>? admits = endpoint.IsUnix ? null : line => SecretCode.Admits(_options.SecretCode, line, endpoint.ToString(), peer, _logger);
            var session = new TransportSession(id, new NetworkStream(socket, ownsSocket: true), peer, isLocal, _options.MaxLineBytes, _options.Trace, _logger, _requestStop, admits);
            var run = session.RunAsync(_router, _stopping.Token);
            lock (_conversations) _conversations.Add(run);
            _ = run.ContinueWith(t => { lock (_conversations) _conversations.Remove(t); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private bool IsAllowed(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix) return true;
        var peer = NativeSockets.GetPeerCredentials(socket);
        if (peer.UserId == 0 || peer.UserId == NativeSockets.GetUserId()) return true;
        ListenerLog.ControlPeerRefused(_logger, peer.ProcessId, peer.UserId);
        return false;
    }
}
