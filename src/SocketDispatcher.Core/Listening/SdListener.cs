using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Control;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A listener: accepts connections on its endpoints and hands each socket to a dispatcher over the
/// handoff channel (AF_UNIX <c>SOCK_SEQPACKET</c>, <c>SCM_RIGHTS</c>); spawns and supervises its
/// dispatchers; takes <c>QUIT</c>, <c>STOP</c> and <c>STATUS</c> on its control endpoints
/// (design.md section 4). It keeps each socket until the dispatcher reports it <c>CLOSED</c> and hands it
/// again if that dispatcher goes away before touching it, so no accepted connection is lost while one dispatcher lives.
/// </summary>
public sealed partial class SdListener : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private readonly ILogger _logger;
    private readonly RuntimeDirectory _runtime;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<SdHandoff> _handoffs = Channel.CreateBounded<SdHandoff>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly List<(SdEndpoint Endpoint, Socket Socket)> _listening = [];
    private readonly List<Task> _loops = [];
    private Socket? _handoffSocket;
    private ControlServer? _control;
    private int _stopStarted;
    private long _accepted;
    private long _handed;
    private long _rehanded;
    private long _dropped;

    private SdListener(ListenerOptions options, ILogger logger, RuntimeDirectory runtime, string name)
    {
        _options = options;
        _logger = logger;
        _runtime = runtime;
        Name = name;
        Handoff = options.Handoff ?? SdEndpoint.ForUnixPath(runtime.Combine("handoff.sock"));
    }

    /// <summary>The listener's name (it names the runtime directory).</summary>
    public string Name { get; }

    /// <summary>This process's id.</summary>
    public int ProcessId => Environment.ProcessId;

    /// <summary>When it started (UTC).</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The endpoints it accepts on, with the ports the kernel chose for port 0.</summary>
    public IReadOnlyList<SdEndpoint> Endpoints => _listening.Select(l => l.Endpoint).ToArray();

    /// <summary>The handoff socket dispatchers connect to.</summary>
    public SdEndpoint Handoff { get; }

    /// <summary>The control endpoints.</summary>
    public IReadOnlyList<SdEndpoint> ControlEndpoints => _control?.Endpoints ?? [];

    /// <summary>The runtime directory (mode 0700).</summary>
    public string RuntimeDirectory => _runtime.Path;

    /// <summary><c>running</c>, <c>stopping</c> or <c>stopped</c>.</summary>
    public string State => _completion.Task.IsCompleted ? "stopped" : _stopping.IsCancellationRequested ? "stopping" : "running";

    /// <summary>Connections accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections handed to a dispatcher (a re-handed one counts once).</summary>
    public long Handed => Interlocked.Read(ref _handed);

    /// <summary>Connections handed again because their dispatcher went away before touching them (before <c>ACCEPTED</c> for AF_UNIX ones).</summary>
    public long Rehanded => Interlocked.Read(ref _rehanded);

    /// <summary>Connections closed without a dispatcher: none could take them within
    /// <see cref="ListenerOptions.HandoffTimeout"/>, or before the listener stopped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Each handoff as it happens (the newest 4,096 are kept when nobody reads).</summary>
    public ChannelReader<SdHandoff> Handoffs => _handoffs.Reader;

    /// <summary>Completes when the listener has stopped and cleaned up; faults when it gave up (a crash loop).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds every endpoint, the handoff and control sockets, spawns the dispatchers and starts accepting.</summary>
    /// <exception cref="SdException">An endpoint is invalid or in use, a certificate file is missing or bad,
    /// or the runtime directory cannot be made; nothing is left bound.</exception>
    public static async Task<SdListener> StartAsync(ListenerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Validate(options);
        var name = options.Name ?? "sd-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var runtime = Listening.RuntimeDirectory.Create(options.RuntimeDirectory ?? Path.Combine(Listening.RuntimeDirectory.DefaultBase(), name));
        var listener = new SdListener(options, loggerFactory.CreateLogger("SocketDispatcher.Listener"), runtime, name);
        try
        {
            listener.Bind();
        }
        catch
        {
            await listener.ReleaseAsync().ConfigureAwait(false);
            throw;
        }

        cancellationToken.ThrowIfCancellationRequested();
        listener.Run();
        return listener;
    }

    /// <summary>
    /// Stops: closes the listening sockets, sends <c>EXIT</c> to every dispatcher, which finish open
    /// conversations for up to <see cref="ListenerOptions.DrainTimeout"/> (none when
    /// <paramref name="drain"/> is false), then removes its socket files. Safe to call more than once:
    /// the first reason wins, and a later call with <paramref name="drain"/> false cuts a drain in
    /// progress short (<c>STOP</c> after <c>QUIT</c>, a second SIGTERM).
    /// </summary>
    public Task StopAsync(bool drain = true, string reason = "stop requested")
    {
        if (Interlocked.Exchange(ref _stopStarted, 1) == 0)
        {
            if (!drain) _skipDrain.Cancel();
            _ = ShutdownAsync(drain, reason, failure: null);
        }
        else if (!drain)
        {
            SkipDrain(reason);
        }

        return _completion.Task;
    }

    /// <summary>Stops without a drain and waits for the end.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(drain: false, "disposed").ConfigureAwait(false);
        }
        catch (SdException)
        {
            // The failure was reported through Completion already.
        }
    }

    private static void Validate(ListenerOptions options)
    {
        if (options.Endpoints.Count == 0) throw new SdException(SdErrorKind.InvalidArgument, "EndpointMissing", "give at least one endpoint to listen on, such as tcp://127.0.0.1:3001");
        // A bad definition file fails the start here, once, instead of every dispatcher in a crash loop.
        if (options.DefinitionPath is { Length: > 0 } definitions) SdMessageDefinitions.Load(definitions);
        if (options.Dispatchers < 0) throw new SdException(SdErrorKind.InvalidArgument, "DispatchersInvalid", $"the number of dispatchers must be 0 or more, not {options.Dispatchers}");
        if (options.Capacity < 1) throw new SdException(SdErrorKind.InvalidArgument, "CapacityInvalid", $"the capacity of a dispatcher must be 1 or more open connections, not {options.Capacity}");
        if (options.Backlog < 1) throw new SdException(SdErrorKind.InvalidArgument, "BacklogInvalid", $"the backlog must be 1 or more, not {options.Backlog}");
        if (options.HandoffTimeout <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "HandoffTimeoutInvalid", $"the handoff timeout must be more than 0, not {options.HandoffTimeout}");
        if (options.DispatcherTimeout <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "DispatcherTimeoutInvalid", $"the dispatcher timeout must be more than 0, not {options.DispatcherTimeout}");
        if (options.DrainTimeout < TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "DrainTimeoutInvalid", $"the drain timeout must be 0 or more, not {options.DrainTimeout}");
        if (options.MaxRestarts < 0) throw new SdException(SdErrorKind.InvalidArgument, "MaxRestartsInvalid", $"the number of restarts tolerated must be 0 or more, not {options.MaxRestarts}");
        if (options.RestartWindow <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "RestartWindowInvalid", $"the restart window must be more than 0, not {options.RestartWindow}");
        if (options.Endpoints.Any(e => e.Kind == SdEndpointKind.Tls) && options.Tls is null)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "CertificateMissing", "a tls:// endpoint needs a certificate and a key (--cert and --key)");
        }

        ControlServer.Validate(options);
        if (options.Tls is not null) _ = TlsSetup.CreateServerOptions(options.Tls); // fail here, once, not in every dispatcher
        if (ScriptHandlerLaunch.IsScript(options.Handler)) _ = ScriptHandlerLaunch.Resolve(options, "unix:/check"); // fail here, once, not in every spawn
        _ = SdHandlers.Names.Contains(options.Handler) || ScriptHandlerLaunch.IsScript(options.Handler)
            ? true
            : throw new SdException(SdErrorKind.InvalidArgument, "HandlerUnknown", $"unknown handler '{options.Handler}'; use one of: {string.Join(", ", SdHandlers.Names)}");
    }

    private void Bind()
    {
        foreach (var endpoint in _options.Endpoints)
        {
            var socket = SocketBinder.Listen(endpoint, _options.Backlog);
            _listening.Add((SocketBinder.Bound(endpoint, socket), socket));
        }

        _handoffSocket = SocketBinder.Listen(Handoff, 128, SocketType.Seqpacket);
        _control = new ControlServer(CreateControlRouter(), _options, _logger, reason => _ = StopAsync(true, reason));
        var controls = _options.ControlEndpoints.Count > 0 ? _options.ControlEndpoints : [SdEndpoint.ForUnixPath(_runtime.Combine("control.sock"))];
        foreach (var endpoint in controls) _control.Listen(endpoint);
    }

    private void Run()
    {
        _control!.Start();
        _loops.Add(AcceptDispatchersAsync(_handoffSocket!));
        foreach (var (endpoint, socket) in _listening) _loops.Add(StartAcceptLoop(endpoint, socket));
        StartSupervision();
        ListenerLog.Started(_logger, Name, ProcessId, string.Join(' ', Endpoints), Handoff.ToString(), string.Join(' ', ControlEndpoints));
    }

    private async Task ShutdownAsync(bool drain, string reason, Exception? failure)
    {
        ListenerLog.Stopping(_logger, Name, reason);
        _stopping.Cancel();
        foreach (var (_, socket) in _listening) socket.Dispose();
        await StopDispatchersAsync(drain ? _options.DrainTimeout : TimeSpan.Zero).ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure ??= ex;
        }

        _handoffs.Writer.TryComplete();
        ListenerLog.Stopped(_logger, Name, Accepted, Handed, Rehanded, Dropped);
        if (failure is null) _completion.TrySetResult();
        else _completion.TrySetException(failure);
    }

    private async Task ReleaseAsync()
    {
        foreach (var (endpoint, socket) in _listening)
        {
            socket.Dispose();
            SocketBinder.RemoveSocketFile(endpoint);
        }

        if (_control is not null) await _control.DisposeAsync().ConfigureAwait(false);
        _handoffSocket?.Dispose();
        SocketBinder.RemoveSocketFile(Handoff);
        _runtime.Dispose();
    }
}
