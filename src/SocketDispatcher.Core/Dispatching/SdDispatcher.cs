using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Control;
using SocketDispatcher.Dispatching;
using SocketDispatcher.Handoff;
using SocketDispatcher.Logging;

namespace SocketDispatcher;

/// <summary>
/// A dispatcher: connects to a listener's handoff socket, says <c>HELLO</c>, takes each handed-off
/// socket (<c>CONNECTION</c> + SCM_RIGHTS), confirms it with <c>ACCEPTED</c> (an AF_UNIX one before any
/// I/O, a TCP one once its conversation started), terminates TLS and runs the handler's conversation; on <c>EXIT</c> it finishes open conversations up to the
/// drain time, then closes them (docs/handoff-protocol.md, "The life of one connection" and "Shutdown").
/// Every record is read and written by its type in SocketDispatcher.Handoff (<see cref="ConnectionRecord"/>, ...).
/// </summary>
public sealed partial class SdDispatcher : IAsyncDisposable
{
    private readonly SdDispatcherOptions _options;
    private readonly ILogger _logger;
    private readonly SdMessageRouter _router;
    private readonly HandoffChannel _channel;
    private readonly ConcurrentDictionary<ConnectionId, Task> _sessions = new();
    private readonly CancellationTokenSource _abortSessions = new();
    private ConversationSettings _settings;
    private long _handled;
    private readonly object _drainGate = new();
    private Task _run = Task.CompletedTask;
    private Task? _draining;
    private TimeSpan _drain = TimeSpan.FromSeconds(30);

    private SdDispatcher(SdDispatcherOptions options, SdMessageRouter router, HandoffChannel channel, ILogger logger)
    {
        _options = options;
        _router = router;
        _channel = channel;
        _logger = logger;

        // A built-in handler never blocks, so its conversation starts on the reading thread and, without
        // TLS, waits on the dispatcher's own poller instead of a .NET Socket; a custom router (a PowerShell
        // script, a test's) may block, so it starts on the thread pool, as TLS does (a handshake is about 1 ms of CPU).
        _settings = new ConversationSettings(router, null, 64 * 1024, options.Trace, options.HandshakeTimeout, logger, RequestServiceStop, options.Router is null ? SocketPoller.Shared : null);
    }

    /// <summary>This process's id.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the object's description, beside its name and state; a static would not show in PowerShell's view of it.")]
    public int ProcessId => Environment.ProcessId;

    /// <summary>The handoff socket this dispatcher is connected to.</summary>
    public SdEndpoint Handoff => _options.Handoff;

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _sessions.Count;

    /// <summary>Connections taken since the start.</summary>
    public long HandledConnections => Interlocked.Read(ref _handled);

    /// <summary>Completes when the dispatcher has stopped: after <c>EXIT</c> and the drain, or when the listener is gone.</summary>
    public Task Completion => _run;

    /// <summary>Connects to the listener and starts taking connections.</summary>
    /// <exception cref="SdException">The handoff socket does not answer within <see cref="SdDispatcherOptions.ConnectTimeout"/>
    /// (reason <c>HandoffUnreachable</c>), the handler is unknown, or a message definition cannot be loaded.</exception>
    public static async Task<SdDispatcher> StartAsync(SdDispatcherOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options.Handoff.Kind != SdEndpointKind.Unix)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "HandoffEndpointInvalid", $"the handoff endpoint must be unix:PATH, not '{options.Handoff}'");
        }

        var router = options.Router ?? SdHandlers.Create(options.Handler);
        if (options.DefinitionPath is { Length: > 0 } definitionPath) router.Definitions = SdMessageDefinitions.Load(definitionPath);
        var logger = loggerFactory.CreateLogger("SocketDispatcher.Dispatcher");
        var channel = await ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        var dispatcher = new SdDispatcher(options, router, channel, logger);
        channel.Start("sd-handoff-receive", dispatcher.OnRecords, dispatcher.SendDueReports);
        channel.Send(new HelloRecord(Environment.ProcessId, options.Capacity).Write());
        DispatcherLog.Connected(logger, Environment.ProcessId, options.Handoff.ToString());
        dispatcher._run = dispatcher.RunAsync();
        return dispatcher;
    }

    /// <summary>Stops now: open connections are closed without a drain.</summary>
    public async ValueTask DisposeAsync()
    {
        _abortSessions.Cancel();
        _channel.Dispose();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Logged by the loop.
        }

        _abortSessions.Dispose();
    }

    internal void RequestServiceStop(string reason)
    {
        try
        {
            _channel.Send(new QuitRecord(reason).Write());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            DispatcherLog.ListenerGone(_logger, Environment.ProcessId);
        }
    }

    private static async Task<HandoffChannel> ConnectAsync(SdDispatcherOptions options, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.ConnectTimeout;
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                return HandoffChannel.Connect(options.Handoff);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused && DateTime.UtcNow < deadline)
            {
                // The listener is not up yet: a dispatcher started by hand may come first.
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 500));
            }
            catch (SocketException ex)
            {
                throw new SdException(SdErrorKind.ConnectionError, "HandoffUnreachable", $"cannot connect to the handoff socket {options.Handoff}: {ex.Message}", ex);
            }
        }
    }

    private async Task RunAsync()
    {
        var failure = (string?)null;
        try
        {
            // The records themselves are handled by OnRecords on the channel's reading thread; this
            // only waits for the end of the stream.
            await _channel.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = $"the handoff channel failed: {ex.Message}";
        }

        Task? draining;
        lock (_drainGate) draining = _draining;
        if (draining is null)
        {
            var reason = failure ?? "the listener closed the handoff channel";
            DispatcherLog.Stopping(_logger, Environment.ProcessId, reason, _sessions.Count, (long)_drain.TotalMilliseconds);
            await DrainAsync(_drain).ConfigureAwait(false);
        }
        else
        {
            await draining.ConfigureAwait(false);
        }

        _channel.Dispose();
        DispatcherLog.Stopped(_logger, Environment.ProcessId, HandledConnections);
    }

    /// <summary>Handles one record of a batch; <paramref name="connection"/> is the CONNECTION that OnRecords read from it, if any.</summary>
    private void OnRecord(HandoffRecord record, ConnectionRecord? connection)
    {
        using (record)
        {
            if (record.Message is not { } message)
            {
                BadRecord(record.Error?.Message ?? "empty");
                return;
            }

            switch (message.Command)
            {
                case ConnectionRecord.Command:
                    // Read (or found bad, and logged) by OnRecords, which confirms the batch.
                    if (connection is { } taken) Take(taken, record);
                    break;
                case ExitRecord.Command:
                    if (ExitRecord.TryRead(message, out var exit, out var exitError)) Exit(exit);
                    else BadRecord(exitError);
                    break;
                case ConfigRecord.Command:
                    if (ConfigRecord.TryRead(message, out var config, out var configError)) Configure(config);
                    else BadRecord(configError);
                    break;
                case LogRecord.Command:
                    LogReopen.Run(_options.LogFile, _logger, $"{LogRecord.Command} from the listener");
                    break;
                case AliveRecord.Command:
                    if (AliveRecord.TryRead(message, out var alive, out var aliveError)) _channel.Send(alive.Answer().Write());
                    else BadRecord(aliveError);
                    break;
                default:
                    BadRecord($"unexpected command {message.Command}");
                    break;
            }
        }
    }

    private void BadRecord(string reason) => DispatcherLog.BadRecord(_logger, Environment.ProcessId, reason);

    private void Exit(ExitRecord exit)
    {
        lock (_drainGate)
        {
            if (_draining is null)
            {
                // Keep reading while draining: CLOSED goes on being reported, and a second
                // EXIT drain=0 (STOP, a second SIGTERM) cuts the drain short. The channel
                // is closed when the drain ends, which ends the reading (docs/handoff-protocol.md, "Shutdown").
                _drain = exit.Drain;
                DispatcherLog.Stopping(_logger, Environment.ProcessId, $"{ExitRecord.Command} from the listener", _sessions.Count, (long)_drain.TotalMilliseconds);
                _draining = DrainThenCloseAsync(_drain);
            }
            else if (exit.IsImmediate)
            {
                _abortSessions.Cancel();
            }
        }
    }

    private async Task DrainThenCloseAsync(TimeSpan drain)
    {
        await DrainAsync(drain).ConfigureAwait(false);
        _channel.Dispose();
    }

    private void Configure(ConfigRecord config)
    {
        _settings = _settings with { MaxLineBytes = config.MaxLineBytes };
        if (config.CertificatePath is not { } cert) return;
        try
        {
            _settings = _settings with { Tls = TlsSetup.CreateServerOptions(new SdTlsServerOptions
            {
                CertificatePath = cert,
                KeyPath = config.KeyPath,
                ClientCertificateAuthorityPath = config.ClientCertificateAuthorityPath,
            }) };
        }
        catch (SdException ex)
        {
            DispatcherLog.TlsConfigFailed(_logger, Environment.ProcessId, ex.Message);
        }
    }

    private void Take(ConnectionRecord connection, HandoffRecord record)
    {
        var id = connection.Id;
        var descriptor = record.TakeDescriptor();
        if (descriptor is null)
        {
            BadRecord($"{ConnectionRecord.Command} {id} came without a socket");
            return;
        }

        // Confirmed by OnRecords (docs/handoff-protocol.md, "The life of one connection").
        Interlocked.Increment(ref _handled);
        var tls = connection.Tls;
        var peer = connection.Peer;
        DispatcherLog.ConnectionTaken(_logger, Environment.ProcessId, id.Text, peer, tls);
        var family = ConnectionRecord.NameOf(connection.Family);
        var settings = _settings;
        // With a poller (a built-in handler) a plain conversation starts here, on the reading thread.
        var run = settings.Poller is not null && !tls
            ? DispatcherConversation.RunAsync(id.Text, descriptor, peer, family, tls, settings, _abortSessions.Token)
            : Task.Run(() => DispatcherConversation.RunAsync(id.Text, descriptor, peer, family, tls, settings, _abortSessions.Token));
        _sessions[id] = run;
        run.ContinueWith(_ => Closed(id), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DrainAsync(TimeSpan drain)
    {
        var open = _sessions.Values.ToArray();
        if (open.Length == 0) return;
        try
        {
            await Task.WhenAll(open).WaitAsync(drain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _abortSessions.Cancel();
            await Task.WhenAll(open).ConfigureAwait(false);
        }
    }
}
