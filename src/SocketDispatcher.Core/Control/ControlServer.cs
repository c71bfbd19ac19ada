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
/// (<c>SO_PEERCRED</c>, socket(7)); a <c>tcp://</c> one must be bound to loopback.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly List<(SdEndpoint Endpoint, Socket Socket)> _sockets = [];
    private readonly SdMessageRouter _router;
    private readonly ILogger _logger;
    private readonly Action<string> _requestStop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<Task> _sessions = [];
    private readonly bool _trace;
    private readonly int _maxLineBytes;
    private long _nextId;

    public ControlServer(SdMessageRouter router, ILogger logger, Action<string> requestStop, bool trace = false, int maxLineBytes = 64 * 1024)
    {
        _trace = trace;
        _maxLineBytes = maxLineBytes;
        _router = router;
        _logger = logger;
        _requestStop = requestStop;
    }

    public IReadOnlyList<SdEndpoint> Endpoints => _sockets.Select(s => s.Endpoint).ToArray();

    /// <exception cref="SdException">The endpoint cannot be bound, or is a non-loopback TCP address.</exception>
    public void Listen(SdEndpoint endpoint)
    {
        if (endpoint.Kind == SdEndpointKind.Tcp && endpoint.ToEndPoint() is IPEndPoint ip && !IPAddress.IsLoopback(ip.Address))
        {
            throw new SdException(SdErrorKind.InvalidArgument, "ControlEndpointNotLocal", $"control endpoint {endpoint} must be bound to a loopback address such as 127.0.0.1");
        }

        if (endpoint.Kind is not (SdEndpointKind.Unix or SdEndpointKind.Tcp))
        {
            throw new SdException(SdErrorKind.InvalidArgument, "EndpointInvalid", $"control endpoint {endpoint}: use unix:PATH or tcp://127.0.0.1:PORT");
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

        await Task.WhenAll(_loops).ConfigureAwait(false);
        Task[] sessions;
        lock (_sessions) sessions = [.. _sessions];
        await Task.WhenAll(sessions).ConfigureAwait(false);
        _stopping.Dispose();
    }

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
            var peer = socket.RemoteEndPoint is IPEndPoint remote ? remote.ToString() : endpoint.ToString();
            var session = new MessageSession(id, new NetworkStream(socket, ownsSocket: true), peer, isLocalPeer: true, _maxLineBytes, _trace, _logger, _requestStop);
            var run = session.RunAsync(_router, _stopping.Token);
            lock (_sessions) _sessions.Add(run);
            _ = run.ContinueWith(t => { lock (_sessions) _sessions.Remove(t); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
