namespace SocketDispatcher;

/// <summary>Options of a listener (<c>sd listen</c>, <c>Start-SdListener</c>).</summary>
public sealed class SdListenerOptions
{
    /// <summary>The endpoints to accept connections on: <c>tcp://</c>, <c>tls://</c> or <c>unix:</c>. At least one.</summary>
    public IList<SdEndpoint> Endpoints { get; } = new List<SdEndpoint>();

    /// <summary>How many dispatcher processes to spawn and supervise; 0 waits for dispatchers started by hand. Default: 2.</summary>
    public int Dispatchers { get; set; } = 2;

    /// <summary>
    /// The handler spawned dispatchers run: a built-in name (see <see cref="SdHandlers.Names"/>), or the
    /// path of a <c>.ps1</c> file that returns a hashtable of command to scriptblock, run by pwsh
    /// dispatchers (<c>Start-SdDispatcher -HandlerFile</c>). Default: <c>conversation</c>.
    /// </summary>
    public string Handler { get; set; } = "conversation";

    /// <summary>Message definition directories (colon-separated) the dispatchers load before the built-in ones; see <see cref="SdDispatcherOptions.DefinitionPath"/>. Default: null.</summary>
    public string? DefinitionPath { get; set; }

    /// <summary>TLS for <c>tls://</c> endpoints; required when there is one. Default: null.</summary>
    public SdTlsServerOptions? Tls { get; set; }

    /// <summary>
    /// Control endpoints taking <c>QUIT</c>, <c>STOP</c>, <c>LOG</c>/<c>LOG_ROTATE</c>, <c>STATUS</c>, <c>HELP</c>,
    /// <c>ALIVE</c>: any number of <c>unix:PATH</c> (mode 0600, same uid or root only), <c>tcp://</c> and
    /// <c>udp://</c> (loopback only unless <see cref="ControlAllowRemote"/>; they need <see cref="SecretCode"/>).
    /// Default: none, which means <c>unix:RUNDIR/control.sock</c>.
    /// </summary>
    public IList<SdEndpoint> ControlEndpoints { get; } = new List<SdEndpoint>();

    /// <summary>
    /// The shared secret every message to a <c>tcp://</c> or <c>udp://</c> control endpoint must carry as
    /// <c>secret_code</c> (ed-signal's <c>--secret-code</c>); a message without it is logged and not answered.
    /// Required when there is such an endpoint. Default: null.
    /// </summary>
    public string? SecretCode { get; set; }

    /// <summary>Let <c>tcp://</c> and <c>udp://</c> control endpoints bind to addresses other than loopback. Default: false.</summary>
    public bool ControlAllowRemote { get; set; }

    /// <summary>
    /// The file the listener logs to (also given to its logger factory): <c>LOG</c> on a control endpoint
    /// reopens it and forwards <c>LOG</c> to every dispatcher. Spawned dispatchers log to
    /// <see cref="SdFileLoggerProvider.DispatcherPath"/> of its path, <c>NAME.dispatcher-PID.EXT</c>. Default: null (no file).
    /// </summary>
    public SdFileLoggerProvider? LogFile { get; set; }

    /// <summary>The listener's name, which names its runtime directory. Default: <c>sd-PID</c>.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The runtime directory (mode 0700) for the handoff and control sockets. Default:
    /// <c>$XDG_RUNTIME_DIR/sd/NAME</c>, or <c>/run/sd/NAME</c> as root, or <c>/tmp/sd-UID/NAME</c>.
    /// </summary>
    public string? RuntimeDirectory { get; set; }

    /// <summary>The handoff socket. Default: <c>unix:RUNDIR/handoff.sock</c>.</summary>
    public SdEndpoint? Handoff { get; set; }

    /// <summary>
    /// The <c>listen(2)</c> backlog of each endpoint: while no dispatcher can take a connection the
    /// listener does not accept, and clients wait here. Default: 511.
    /// </summary>
    public int Backlog { get; set; } = 511;

    /// <summary>The longest message line accepted, in bytes. Default: 65,536.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>How long dispatchers may finish open conversations after <c>QUIT</c>. Default: 30 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many dispatcher restarts within <see cref="RestartWindow"/> are tolerated before the listener gives up and exits with an error. Default: 10.</summary>
    public int MaxRestarts { get; set; } = 10;

    /// <summary>The window over which <see cref="MaxRestarts"/> counts. Default: 60 s.</summary>
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Open connections each spawned dispatcher takes (<c>sd dispatch --capacity</c>); a dispatcher started by hand says its own in <c>HELLO</c>. Default: 10,000.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>How the next dispatcher is picked. Default: <see cref="SdBalance.RoundRobin"/>.</summary>
    public SdBalance Balance { get; set; } = SdBalance.RoundRobin;

    /// <summary>
    /// How long an accepted connection is held while no dispatcher can take it (its dispatcher died
    /// and no other is ready); then it is closed and counted in <see cref="SdListener.Dropped"/>. Default: 10 s.
    /// </summary>
    public TimeSpan HandoffTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A dispatcher that does not answer <c>ALIVE</c> on the handoff channel (or says no <c>HELLO</c>)
    /// within this time is killed (a spawned one) or disconnected (one started by hand), and its
    /// connections not yet used are handed to another. Default: 10 s.
    /// </summary>
    public TimeSpan DispatcherTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Other user ids whose processes may connect to the handoff socket, besides this process's uid and root (<c>SO_PEERCRED</c>). Default: none.</summary>
    public IList<uint> AllowedUserIds { get; } = new List<uint>();

    /// <summary>Log every message in and out, in the listener and its dispatchers. Default: false.</summary>
    public bool Trace { get; set; }

    /// <summary>
    /// The pwsh that runs the dispatchers of a <c>.ps1</c> handler: a pwsh executable, or a pwsh.dll
    /// started with the dotnet host. Default: null, which means <c>$SD_PWSH</c>, then <c>pwsh</c> on PATH.
    /// </summary>
    public string? PowerShellProgram { get; set; }

    /// <summary>The program spawned as a dispatcher. Default: the <c>sd</c> executable next to SocketDispatcher.Core.dll.</summary>
    public string? DispatcherProgram { get; set; }

    /// <summary>
    /// Read what spawned dispatchers write to standard error and log each line through the listener's
    /// logger (at the level the line shows), instead of letting it reach this process's standard
    /// error. For hosts whose standard error is a user's console rather than a log, such as
    /// PowerShell, where the lines then arrive as Verbose and Warning records. Default: false.
    /// </summary>
    public bool CaptureDispatcherOutput { get; set; }
}
