namespace SocketDispatcher.Bench;

/// <summary>
/// A server under test: its owned process, and the roles of its process tree (the main process,
/// e.g. "listener", and its children, e.g. "dispatcher 1", "dispatcher 2" by pid order) for the
/// per-process CPU and RSS figures.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly string _mainRole;
    private readonly string _childRole;

    private BenchServer(string config, OwnedProcess process, int port, string mainRole, string childRole)
    {
        Config = config;
        Process = process;
        Port = port;
        _mainRole = mainRole;
        _childRole = childRole;
    }

    /// <summary>The configuration name in the report (c-handoff, sd-handoff, ...).</summary>
    public string Config { get; }

    public OwnedProcess Process { get; }

    public int Port { get; }

    /// <summary>From start to ready (the ready line, then a first greeting read where there is one).</summary>
    public TimeSpan ReadyAfter { get; private set; }

    /// <summary>Starts a server and waits until it is ready.</summary>
    public static async Task<BenchServer> StartAsync(
        string config, string file, IReadOnlyList<string> arguments, int port, Func<IEnumerable<string>, bool> ready,
        bool probeGreeting, string mainRole, string childRole, TimeSpan bound, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = OwnedProcess.Start(config, file, arguments, bound, environment);
        var server = new BenchServer(config, process, port, mainRole, childRole);
        try
        {
            await process.WaitUntilAsync(ready, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (probeGreeting) await Probe.WaitForGreetingAsync(port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            server.ReadyAfter = process.Elapsed;
            await process.MainPidAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The processes of the server now, by role.</summary>
    public async Task<IReadOnlyList<(string Role, int ProcessId)>> RolesAsync()
    {
        var main = await Process.MainPidAsync().ConfigureAwait(false);
        var roles = new List<(string, int)> { (_mainRole, main) };
        var children = ProcFs.Children(main);
        for (var i = 0; i < children.Count; i++) roles.Add(($"{_childRole} {i + 1}", children[i]));
        return roles;
    }

    /// <summary>utime+stime of every process of the server, by role, in ticks.</summary>
    public async Task<Dictionary<string, long>> CpuTicksAsync()
    {
        var ticks = new Dictionary<string, long>();
        foreach (var (role, pid) in await RolesAsync().ConfigureAwait(false)) ticks[role] = ProcFs.CpuTicks(pid) ?? 0;
        return ticks;
    }

    /// <summary>VmRSS of every process of the server, by role, in KiB.</summary>
    public async Task<Dictionary<string, long>> RssKiBAsync()
    {
        var rss = new Dictionary<string, long>();
        foreach (var (role, pid) in await RolesAsync().ConfigureAwait(false)) rss[role] = ProcFs.RssKiB(pid) ?? 0;
        return rss;
    }

    /// <summary>Open fds of every process of the server, by role.</summary>
    public async Task<Dictionary<string, int>> OpenFdsAsync()
    {
        var fds = new Dictionary<string, int>();
        foreach (var (role, pid) in await RolesAsync().ConfigureAwait(false)) fds[role] = ProcFs.OpenFds(pid) ?? 0;
        return fds;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
