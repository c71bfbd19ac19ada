using System.Globalization;

namespace SocketDispatcher.Bench;

/// <summary>
/// Paths, tools and results of one benchmark run, and how to start each server under test. Every
/// server listens on 127.0.0.1 only, on a port the kernel just handed out.
/// </summary>
internal sealed class BenchContext(BenchOptions options, string nativeDirectory, string scratch, CommandLog commands)
{
    // No server instance lives longer than this (timeout(1) bound); the longest is a memory run.
    private static readonly TimeSpan ServerBound = TimeSpan.FromMinutes(5);
    private int _instances;

    public BenchOptions Options { get; } = options;

    public Results Results { get; } = new() { LoadAtStart = MachineInfo.LoadAverage() };

    public CommandLog Commands { get; } = commands;

    public LoadGenerator LoadGen { get; } = new(Path.Combine(nativeDirectory, "loadgen"), commands);

    public string Reference { get; } = Path.Combine(nativeDirectory, "reference");

    public string CertificateDirectory { get; } = Path.Combine(scratch, "certs");

    public string? Node { get; init; }

    public string? RedisServer { get; init; }

    public string? RedisBenchmark { get; init; }

    public string Scratch { get; } = scratch;

    /// <summary>Cancelled by Ctrl+C or SIGTERM: the suites stop before their next run.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>The C reference: listener + forked workers (mode greet or hold), TLS when <paramref name="tls"/>.</summary>
    public Task<BenchServer> StartReferenceAsync(string config, string mode, int workers, bool tls)
    {
        var port = Probe.FreePort();
        var arguments = new List<string> { "-p", Text(port), "-w", Text(workers), "-m", mode };
        if (tls) arguments.AddRange(["-c", Path.Combine(CertificateDirectory, "server.pem"), "-k", Path.Combine(CertificateDirectory, "server.key")]);
        return StartAsync(config, Reference, arguments, port, lines => lines.Any(l => l.StartsWith("ready ", StringComparison.Ordinal)), probe: !tls, "listener", "worker");
    }

    /// <summary><c>sd listen</c> with spawned dispatchers running a built-in handler.</summary>
    public Task<BenchServer> StartSdAsync(string config, string handler, int dispatchers, bool tls)
    {
        var port = Probe.FreePort();
        var instance = Interlocked.Increment(ref _instances);
        var arguments = new List<string>
        {
            "listen", "--endpoint", $"{(tls ? "tls" : "tcp")}://127.0.0.1:{Text(port)}", "--dispatchers", Text(dispatchers), "--handler", handler,
            "--name", $"bench-{Environment.ProcessId}-{instance}", "--runtime-dir", Path.Combine(Scratch, $"run-{instance}"), "--drain-timeout", "2s",
        };
        if (tls) arguments.AddRange(["--cert", Path.Combine(CertificateDirectory, "server.pem"), "--key", Path.Combine(CertificateDirectory, "server.key")]);
        return StartAsync(config, Options.Sd, arguments, port, lines => lines.Count(IsJoined) >= dispatchers, probe: !tls, "listener", "dispatcher");
    }

    /// <summary>The Node.js cluster peer (round-robin, 2 workers).</summary>
    public Task<BenchServer> StartNodeAsync(string config)
    {
        var port = Probe.FreePort();
        var script = Path.Combine(Options.RepoRoot, "bench/peers/node-cluster.js");
        return StartAsync(config, Node!, [script, Text(port), "2"], port, lines => lines.Any(l => l.StartsWith("ready ", StringComparison.Ordinal)), probe: true, "primary", "worker");
    }

    /// <summary>redis-server on 127.0.0.1, no persistence: the anchor of a fast line protocol.</summary>
    public Task<BenchServer> StartRedisAsync(string config)
    {
        var port = Probe.FreePort();
        string[] arguments = ["--port", Text(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", Scratch];
        return StartAsync(config, RedisServer!, arguments, port, lines => lines.Any(l => l.Contains("Ready to accept connections", StringComparison.Ordinal)), probe: false, "server", "child");
    }

    /// <summary>Spawn -> HELLO of each dispatcher of an sd listener, from its log timestamps (ms).</summary>
    public static IReadOnlyList<double> DispatcherReadyMs(BenchServer server)
    {
        var started = new Dictionary<string, DateTimeOffset>();
        var ready = new List<double>();
        foreach (var (_, text) in server.Process.Lines)
        {
            if (text.Length < 24 || !DateTimeOffset.TryParse(text.AsSpan(0, 24), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) continue;
            var words = text.Split(' ');
            var startedAt = Array.IndexOf(words, "process");
            if (text.Contains("started dispatcher process", StringComparison.Ordinal) && startedAt > 0 && startedAt + 1 < words.Length)
            {
                started[words[startedAt + 1].TrimEnd(':')] = at;
            }
            else if (IsJoined(text))
            {
                var pid = words[Array.IndexOf(words, "joined") - 1];
                if (started.TryGetValue(pid, out var s)) ready.Add((at - s).TotalMilliseconds);
            }
        }

        return ready;
    }

    public void Problem(string text)
    {
        Console.Error.WriteLine($"bench: {text}");
        Results.Problems.Add(text);
    }

    private static bool IsJoined(string line) => line.Contains(" joined (capacity ", StringComparison.Ordinal);

    private Task<BenchServer> StartAsync(string config, string file, IReadOnlyList<string> arguments, int port, Func<IEnumerable<string>, bool> ready, bool probe, string mainRole, string childRole)
    {
        var started = BenchServer.StartAsync(config, file, arguments, port, ready, probe, mainRole, childRole, ServerBound);
        Commands.Add(OwnedCommandLine(file, arguments), port);
        return started;
    }

    private static string OwnedCommandLine(string file, IEnumerable<string> arguments)
        => string.Join(' ', new[] { file }.Concat(arguments).Select(a => a.Length == 0 ? "''" : a));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
