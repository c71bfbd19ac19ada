using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Listening;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A listener: accepts connections on its endpoints and hands each socket to a dispatcher over the
/// handoff channel (AF_UNIX <c>SOCK_SEQPACKET</c>, <c>SCM_RIGHTS</c>); spawns and supervises its
/// dispatchers; takes <c>QUIT</c>, <c>STOP</c> and <c>STATUS</c> on its control endpoints
/// (docs/architecture.md). It keeps each socket until the dispatcher reports it <c>CLOSED</c> and hands it
/// again if that dispatcher goes away before touching it, so no accepted connection is lost while one dispatcher lives.
/// </summary>
/// <remarks>
/// A front over the parts that do the work, each owning its state and its lock: one
/// <see cref="ClientAcceptLoop"/> per endpoint, the <see cref="HandoffScheduler"/> (dispatchers and
/// connections), the <see cref="DispatcherAcceptor"/> and <see cref="DispatcherRecordHandler"/> (the
/// handoff socket), the <see cref="DispatcherSupervisor"/> (processes), the <see cref="DispatcherWatchdog"/>
/// and the <see cref="ListenerControl"/>. The listener itself keeps only its sockets, its life cycle
/// (changed once, with <see cref="Interlocked"/>) and its counters (<see cref="HandoffCounters"/>).
/// </remarks>
public sealed class SdListener : IAsyncDisposable
{
    private readonly SdListenerOptions _options;
    private readonly ILogger _logger;
    private readonly RuntimeDirectory _runtime;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HandoffCounters _counters = new();
    private readonly HandoffScheduler _scheduler;
    private readonly DispatcherSupervisor _supervisor;
    private readonly List<(SdEndpoint Endpoint, Socket Socket)> _listening = [];
    private readonly List<Task> _loops = [];
    private readonly ListenerControl _control;
    private Socket? _handoffSocket;
    private int _stopStarted;

    private SdListener(SdListenerOptions options, ILogger logger, RuntimeDirectory runtime, string name)
    {
        _options = options;
        _logger = logger;
        _runtime = runtime;
        Name = name;
        Handoff = options.Handoff ?? SdEndpoint.ForUnixPath(runtime.Combine("handoff.sock"));
        _scheduler = new HandoffScheduler(options, logger, _counters, _stopping.Token);
        _supervisor = new DispatcherSupervisor(options, logger, _scheduler, Handoff, Fail, _stopping.Token);
        _control = new ListenerControl(this, options, logger, _scheduler);
    }

    /// <summary>The listener's name (it names the runtime directory).</summary>
    public string Name { get; }

    /// <summary>This process's id.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the object's description, beside its name and state; a static would not show in PowerShell's view of it.")]
    public int ProcessId => Environment.ProcessId;

    /// <summary>When it started (UTC).</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The endpoints it accepts on, with the ports the kernel chose for port 0.</summary>
    public IReadOnlyList<SdEndpoint> Endpoints => _listening.Select(l => l.Endpoint).ToArray();

    /// <summary>The handoff socket dispatchers connect to.</summary>
    public SdEndpoint Handoff { get; }

    /// <summary>The control endpoints.</summary>
    public IReadOnlyList<SdEndpoint> ControlEndpoints => _control.Endpoints;

    /// <summary>The runtime directory (mode 0700).</summary>
    public string RuntimeDirectory => _runtime.Path;

    /// <summary>Running, Stopping (its dispatchers drain) or Stopped; <c>STATUS</c> writes it in lower case.</summary>
    public SdListenerState State => _completion.Task.IsCompleted ? SdListenerState.Stopped : _stopping.IsCancellationRequested ? SdListenerState.Stopping : SdListenerState.Running;

    /// <summary>Connections accepted.</summary>
    public long Accepted => _counters.Accepted;

    /// <summary>Connections handed to a dispatcher (a re-handed one counts once).</summary>
    public long Handed => _counters.Handed;

    /// <summary>Connections handed again because their dispatcher went away before touching them (before <c>ACCEPTED</c> for AF_UNIX ones).</summary>
    public long Rehanded => _counters.Rehanded;

    /// <summary>Connections closed without a dispatcher: none could take them within
    /// <see cref="SdListenerOptions.HandoffTimeout"/>, or before the listener stopped.</summary>
    public long Dropped => _counters.Dropped;

    /// <summary>Each handoff as it happens (the newest 4,096 are kept when nobody reads).</summary>
    public ChannelReader<SdHandoff> Handoffs => _counters.Handoffs;

    /// <summary>Completes when the listener has stopped and cleaned up; faults when it gave up (a crash loop).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds every endpoint, the handoff and control sockets, spawns the dispatchers and starts accepting.</summary>
    /// <param name="options">What to listen on and how to run the dispatchers.</param>
    /// <param name="loggerFactory">Makes the listener's logger (category <c>SocketDispatcher.Listener</c>).</param>
    /// <param name="cancellationToken">Cancels the start; once it has returned, stop with <see cref="StopAsync"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="loggerFactory"/> is null.</exception>
    /// <exception cref="SdException">An endpoint is invalid or in use, a certificate file is missing or bad,
    /// or the runtime directory cannot be made; nothing is left bound.</exception>
    public static async Task<SdListener> StartAsync(SdListenerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ListenerOptionsValidation.Validate(options);
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
    /// conversations for up to <see cref="SdListenerOptions.DrainTimeout"/> (none when
    /// <paramref name="drain"/> is false), then removes its socket files. Safe to call more than once:
    /// the first reason wins, and a later call with <paramref name="drain"/> false cuts a drain in
    /// progress short (<c>STOP</c> after <c>QUIT</c>, a second SIGTERM).
    /// </summary>
    /// <returns><see cref="Completion"/>: it faults with an <see cref="SdException"/> when the listener gave up (a crash loop).</returns>
    public Task StopAsync(bool drain = true, string reason = "stop requested")
    {
        if (Interlocked.Exchange(ref _stopStarted, 1) == 0)
        {
            if (!drain) _supervisor.SkipDrain();
            _ = ShutdownAsync(drain, reason, failure: null);
        }
        else if (!drain && _supervisor.SkipDrain())
        {
            ListenerLog.DrainSkipped(_logger, Name, reason);
        }

        return _completion.Task;
    }

    /// <summary>Stops without a drain and waits for the end; a failure was reported through <see cref="Completion"/> already.</summary>
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

    /// <summary>The dispatchers: connected ones, and spawned ones that have not connected yet (starting).</summary>
    public IReadOnlyList<SdDispatcherInfo> GetDispatchers() => _supervisor.Describe(_scheduler.Describe());

    /// <summary>
    /// The answer to <c>STATUS</c>: <c>STATUS name=..;pid=..;state=..;started=..;endpoints=..;control=..;handoff=..;accepted=..;handed=..;rehanded=..;dropped=..;dispatchers=[...]</c>,
    /// where <c>state</c> is <c>running</c>, <c>stopping</c> or <c>stopped</c>, <c>endpoints</c> and
    /// <c>control</c> are JSON arrays of endpoint strings (a unix: path may hold spaces), <c>started</c> is
    /// ISO 8601 (UTC), and <c>dispatchers</c> is a JSON array of objects with <c>pid</c>, <c>state</c>
    /// (<c>starting</c>, <c>ready</c> or <c>exiting</c>), <c>started</c>, <c>restarts</c>, <c>handed</c>,
    /// <c>open</c>, <c>pending</c> and <c>spawned</c>; <c>dropped</c> counts the connections closed without
    /// a dispatcher. <see cref="SdListenerInfo.FromStatus"/> reads it back.
    /// </summary>
    public SdMessage GetStatus() => _control.GetStatus();

    private void Bind()
    {
        foreach (var endpoint in _options.Endpoints)
        {
            var socket = SocketBinder.Listen(endpoint, _options.Backlog);
            _listening.Add((SocketBinder.Bound(endpoint, socket), socket));
        }

        _handoffSocket = SocketBinder.Listen(Handoff, 128, SocketType.Seqpacket);
        var controls = _options.ControlEndpoints.Count > 0 ? _options.ControlEndpoints : [SdEndpoint.ForUnixPath(_runtime.Combine("control.sock"))];
        foreach (var endpoint in controls) _control.Listen(endpoint);
    }

    private void Run()
    {
        var records = new DispatcherRecordHandler(_options, _logger, _scheduler, reason => _ = Task.Run(() => StopAsync(drain: true, reason)));
        var dispatchers = new DispatcherAcceptor(_options, _logger, _scheduler, records, _stopping.Token);
        _control.Start();
        _loops.Add(dispatchers.RunAsync(_handoffSocket!, Handoff));
        foreach (var (endpoint, socket) in _listening) _loops.Add(new ClientAcceptLoop(endpoint, socket, _scheduler, _counters, _logger, _stopping.Token).Start());
        _loops.AddRange(_supervisor.Start());
        _loops.Add(new DispatcherWatchdog(_options, _logger, _scheduler, _supervisor).RunAsync(_stopping.Token));
        ListenerLog.Started(_logger, Name, ProcessId, string.Join(' ', Endpoints), Handoff.ToString(), string.Join(' ', ControlEndpoints));
    }

    /// <summary>The supervisor gave up (a crash loop, a program that cannot start): stop without a drain, and fault <see cref="Completion"/>.</summary>
    private void Fail(Exception failure)
    {
        if (Interlocked.Exchange(ref _stopStarted, 1) == 0) _ = ShutdownAsync(drain: false, failure.Message, failure);
    }

    private async Task ShutdownAsync(bool drain, string reason, Exception? failure)
    {
        ListenerLog.Stopping(_logger, Name, reason);
        _stopping.Cancel();
        foreach (var (_, socket) in _listening) socket.Dispose();
        await _supervisor.StopAsync(drain ? _options.DrainTimeout : TimeSpan.Zero).ConfigureAwait(false);
        await ReleaseAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure ??= ex;
        }

        _counters.Complete();
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

        await _control.DisposeAsync().ConfigureAwait(false);
        _handoffSocket?.Dispose();
        SocketBinder.RemoveSocketFile(Handoff);
        _runtime.Dispose();
    }
}
