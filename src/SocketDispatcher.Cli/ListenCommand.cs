using System.CommandLine;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Cli;

/// <summary><c>sd listen</c>: run a listener and its dispatchers until QUIT, STOP, SIGTERM or Ctrl+C.</summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var endpoint = new Option<string[]>("--endpoint", "-e") { Description = "Endpoint to accept connections on: tcp://HOST:PORT, tls://HOST:PORT or unix:PATH. Repeat for several.", Required = true };
        var dispatchers = new Option<int>("--dispatchers", "-n") { Description = "Dispatcher processes to spawn and supervise; 0 waits for dispatchers started by hand.", DefaultValueFactory = _ => 2 };
        var handler = new Option<string>("--handler") { Description = "Handler the dispatchers run: conversation, echo, greet, or a FILE.ps1 returning a hashtable of command to scriptblock (run by pwsh dispatchers).", DefaultValueFactory = _ => "conversation" };
        var pwsh = new Option<string?>("--pwsh") { Description = "The pwsh that runs a .ps1 handler's dispatchers: a pwsh executable or pwsh.dll. Default: $SD_PWSH, then pwsh on PATH." };
        var cert = new Option<string?>("--cert") { Description = "Server certificate (PEM) for tls:// endpoints." };
        var key = new Option<string?>("--key") { Description = "Server private key (PEM); default: the --cert file, when it holds the key too." };
        var clientCa = new Option<string?>("--client-ca") { Description = "CA (PEM) that client certificates must chain to; makes TLS mutual." };
        var control = new Option<string[]>("--control") { Description = "Control endpoint taking QUIT, STOP, LOG/LOG_ROTATE, STATUS, HELP, ALIVE: unix:PATH (same uid or root only), tcp://127.0.0.1:PORT or udp://127.0.0.1:PORT (these need --secret-code). Repeat for several. Default: unix:RUNDIR/control.sock." };
        var secret = new Option<string?>("--secret-code") { Description = "Shared secret that messages to tcp:// and udp:// control endpoints must carry as secret_code (sd signal --secret-code); others are logged and not answered." };
        var allowRemote = new Option<bool>("--control-allow-remote") { Description = "Let tcp:// and udp:// control endpoints bind to addresses other than loopback." };
        var logFile = new Option<string?>("--log-file") { Description = "Also log to this file; LOG on a control endpoint reopens it (logrotate postrotate). Spawned dispatchers log to NAME.dispatcher-PID.EXT next to it (listener.log -> listener.dispatcher-4242.log)." };
        var handoff = new Option<string?>("--handoff") { Description = "Handoff socket, unix:PATH. Default: unix:RUNDIR/handoff.sock." };
        var name = new Option<string?>("--name") { Description = "Listener name; names the runtime directory. Default: sd-PID." };
        var runtimeDir = new Option<string?>("--runtime-dir") { Description = "Runtime directory (mode 0700). Default: $XDG_RUNTIME_DIR/sd/NAME, /run/sd/NAME as root." };
        var backlog = new Option<int>("--backlog") { Description = "listen(2) backlog of each endpoint: where clients wait while every dispatcher is at capacity.", DefaultValueFactory = _ => 511 };
        var capacity = new Option<int>("--capacity") { Description = "Open connections each spawned dispatcher takes; past it the listener stops accepting.", DefaultValueFactory = _ => 10_000 };
        var balance = new Option<string>("--balance") { Description = "How the next dispatcher is picked: round-robin or least-loaded (fewest open connections).", DefaultValueFactory = _ => "round-robin" };
        balance.AcceptOnlyFromAmong("round-robin", "least-loaded");
        var handoffTimeout = new Option<string>("--handoff-timeout") { Description = "How long an accepted connection is held while no dispatcher can take it, then closed (e.g. 10s).", DefaultValueFactory = _ => "10s" };
        var dispatcherTimeout = new Option<string>("--dispatcher-timeout") { Description = "A dispatcher that does not answer ALIVE within this time is killed and replaced (e.g. 10s).", DefaultValueFactory = _ => "10s" };
        var allowUid = new Option<uint[]>("--allow-uid") { Description = "Another uid whose processes may connect to the handoff socket (besides ours and root). Repeat for several." };
        var maxLine = new Option<int>("--max-line") { Description = "Longest message line accepted, in bytes.", DefaultValueFactory = _ => 64 * 1024 };
        var drain = new Option<string>("--drain-timeout") { Description = "How long dispatchers may finish open conversations after QUIT (e.g. 30s).", DefaultValueFactory = _ => "30s" };
        var maxRestarts = new Option<int>("--max-restarts") { Description = "Dispatcher restarts tolerated within --restart-window before giving up with exit code 1.", DefaultValueFactory = _ => 10 };
        var restartWindow = new Option<string>("--restart-window") { Description = "Window of --max-restarts (e.g. 60s).", DefaultValueFactory = _ => "60s" };
        var definitions = CliRunner.DefinitionsOption();
        var trace = CliRunner.TraceOption();
        var command = new Command("listen", "Accept connections and hand each one to a dispatcher process (SCM_RIGHTS).")
        {
            endpoint, dispatchers, handler, cert, key, clientCa, control, handoff, name, runtimeDir, backlog, capacity, balance, handoffTimeout, dispatcherTimeout, allowUid,
            maxLine, drain, maxRestarts, restartWindow, definitions, pwsh, trace, secret, allowRemote, logFile,
        };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var options = new SdListenerOptions
            {
                Dispatchers = result.GetValue(dispatchers),
                Handler = result.GetValue(handler)!,
                Name = result.GetValue(name),
                RuntimeDirectory = result.GetValue(runtimeDir),
                Handoff = result.GetValue(handoff) is { } h ? SdEndpoint.Parse(h) : null,
                Backlog = result.GetValue(backlog),
                Capacity = result.GetValue(capacity),
                Balance = result.GetValue(balance) == "least-loaded" ? SdBalance.LeastLoaded : SdBalance.RoundRobin,
                HandoffTimeout = SdDuration.Parse(result.GetValue(handoffTimeout)!),
                DispatcherTimeout = SdDuration.Parse(result.GetValue(dispatcherTimeout)!),
                MaxLineBytes = result.GetValue(maxLine),
                DrainTimeout = SdDuration.Parse(result.GetValue(drain)!),
                MaxRestarts = result.GetValue(maxRestarts),
                RestartWindow = SdDuration.Parse(result.GetValue(restartWindow)!),
                Trace = result.GetValue(trace),
                SecretCode = result.GetValue(secret),
                ControlAllowRemote = result.GetValue(allowRemote),
                DefinitionPath = result.GetValue(definitions),
                PowerShellProgram = result.GetValue(pwsh),
            };
            foreach (var e in CliRunner.Endpoints(result.GetValue(endpoint))) options.Endpoints.Add(e);
            foreach (var e in CliRunner.Endpoints(result.GetValue(control))) options.ControlEndpoints.Add(e);
            foreach (var uid in result.GetValue(allowUid) ?? []) options.AllowedUserIds.Add(uid);
            options.Tls = SdTlsServerOptions.FromFiles(result.GetValue(cert), result.GetValue(key), result.GetValue(clientCa));

            using var file = CliRunner.OpenLogFile(result.GetValue(logFile));
            options.LogFile = file;
            using var logging = CliRunner.CreateLogging(options.Trace, file);
            await using var listener = await SdListener.StartAsync(options, logging, cancellationToken).ConfigureAwait(false);

            // SIGTERM and Ctrl+C stop with a drain, as QUIT does; a second one skips the drain, as STOP does.
            var signals = 0;
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            try
            {
                await listener.Completion.ConfigureAwait(false);
            }
            catch (SdException ex)
            {
                await Console.Error.WriteLineAsync($"sd: listener {listener.Name} gave up: {ex.Message}").ConfigureAwait(false);
                return CliRunner.Failure;
            }

            return CliRunner.Done;

            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                var first = Interlocked.Increment(ref signals) == 1;
                _ = listener.StopAsync(drain: first, first ? $"signal {context.Signal}" : $"second signal {context.Signal}");
            }
        }));
        return command;
    }
}
