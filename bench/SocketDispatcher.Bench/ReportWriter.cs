using System.Globalization;
using System.Text;

namespace SocketDispatcher.Bench;

/// <summary>
/// Writes the Markdown report between the markers <c>&lt;!-- bench:handoff:begin --&gt;</c> and
/// <c>&lt;!-- bench:handoff:end --&gt;</c> of docs/performance.md, leaving the rest of the file (other
/// benchmarks' parts) as it was. Medians over rounds with their range; ratios computed within a
/// round, then their median. It reports, it does not judge: the issue's targets stand next to the
/// figures, without pass or fail.
/// </summary>
internal sealed class ReportWriter(BenchContext context, IReadOnlyDictionary<string, string> tools)
{
    public const string Begin = "<!-- bench:handoff:begin -->";
    public const string End = "<!-- bench:handoff:end -->";

    private readonly Results _results = context.Results;
    private readonly BenchOptions _options = context.Options;
    private readonly StringBuilder _text = new();

    public static void Write(string path, string part)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Performance\n\nFigures measured by the benchmarks under bench/. Each part is rewritten by the tool named in it.\n";
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        string updated;
        if (begin >= 0 && end > begin)
        {
            updated = existing[..begin] + part + existing[(end + End.Length)..];
        }
        else
        {
            updated = existing.TrimEnd('\n') + "\n\n" + part + "\n";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, updated);
    }

    public string Render()
    {
        Line(Begin);
        Line("## Handoff, TLS, messages, memory and startup (bench/SocketDispatcher.Bench)");
        Line();
        Line("Written by `dotnet pwsh ./build.ps1 Bench` (or `dotnet run -c Release --project bench/SocketDispatcher.Bench`); do not edit this part by hand.");
        Line();
        var kind = _options.Quick ? "**Quick run**" : "Full run";
        Line($"{kind}: {_options.Rounds} round(s), {Number(_options.Seconds)} s measured after {Number(_options.WarmupSeconds)} s of warm-up, light load {Number(_options.LightSeconds)} s; run on {_results.Started:yyyy-MM-dd HH:mm} UTC, took {_results.Duration.TotalMinutes:F1} min.");
        if (_options.Note is { Length: > 0 } note) Line($"> **Note:** {note}");
        Line();
        Line($"- Machine: {MachineInfo.CpuModel()}, {Environment.ProcessorCount} cores, {MachineInfo.Memory()} RAM; `{tools["uname"]}`.");
        Line($"- Load average (1/5/15 min) at the start: {_results.LoadAtStart}; at the end: {_results.LoadAtEnd}. The load generator runs on the same cores as the servers.");
        Line($"- Tools: {tools["dotnet"]}; {tools["cc"]}; node {tools["node"]}; {tools["openssl"]}; {tools["redis"]}.");
        Line();
        Line("How to read: **conn/s is what the whole box does**, client included; the **server CPU per connection** (utime+stime from /proc of every server process, over the measured window only) carries over better. Figures are medians over the rounds with the range in parentheses; ratios (x C, x Node, x redis) are computed **within each round** (the configurations ran back to back, in a rotated order) and the median of those is shown. Per-process columns list the main process first (listener / primary), then its children (dispatchers / workers) by pid.");
        Line();
        Targets();
        Handoff();
        Tls();
        Messages();
        Memory();
        Startup();
        Problems();
        Commands();
        Text(End);
        return _text.ToString();
    }

    private void Targets()
    {
        Line("### Issue 7's targets next to this run");
        Line();
        Line("| figure | target | this run (median of per-round ratios) |");
        Line("|---|---|---|");
        Line($"| handoff conn/s, sd-handoff / c-handoff | >= 0.85 | {Ratio("handoff", "sd-handoff", "c-handoff", r => r.Rate)} |");
        Line($"| handoff conn/s, sd-handoff / node-cluster | >= 2.5 | {Ratio("handoff", "sd-handoff", "node-cluster", r => r.Rate)} |");
        Line($"| light-load p99 connect -> first byte, sd-handoff / c-handoff | <= 1.3 | {Ratio("light", "sd-handoff", "c-handoff", r => r.P99Us)} |");
        Line($"| pipelined msg/s on 1 connection, sd / redis-benchmark PING_INLINE -P 16 | >= 0.5 | {Ratio("messages-1", "sd-conversation", "redis-benchmark", r => r.Rate)} |");
        var sdPlain = _results.Memory.FirstOrDefault(m => m.Config == "sd plain");
        Line($"| RSS per idle plain connection, sd dispatcher | <= 12 KiB | {(sdPlain is null ? "not measured" : $"{PerConnection(sdPlain, sdPlain.HoldingRssKiB.Keys.Last()):N1} KiB ({sdPlain.Held:N0} connections)")} |");
        Line();
    }

    private void Handoff()
    {
        var rows = Configs("handoff");
        if (rows.Count == 0) return;
        Line("### Handoff: short plain connections (server writes \"HI\\n\" and closes), 2 workers");
        Line();
        Line("Saturation: `loadgen conn -t 2 -c 16` (32 connections in flight). Light load: `-t 1 -c 1` (one connection at a time). Latency is connect() -> first byte.");
        Line();
        Line("| config | conn/s | x C | x Node | sat. p50 / p99 us | light p50 / p99 us | light p99 x C | server CPU us/conn (per process) | RSS idle -> peak MiB (per process) | errors |");
        Line("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var config in rows)
        {
            var sat = Rows("handoff", config);
            var light = Rows("light", config);
            Line($"| {config} | {MedianRange(sat.Select(r => r.Result.Rate), "N0")} | {Ratio("handoff", config, "c-handoff", r => r.Rate)} | {Ratio("handoff", config, "node-cluster", r => r.Rate)} " +
                 $"| {Med(sat.Select(r => r.Result.P50Us))} / {Med(sat.Select(r => r.Result.P99Us))} | {Med(light.Select(r => r.Result.P50Us))} / {MedianRange(light.Select(r => r.Result.P99Us), "N0")} " +
                 $"| {Ratio("light", config, "c-handoff", r => r.P99Us)} | {Med(sat.Select(r => r.Result.CpuUsPerOp), "N1")} ({PerRole(sat.Select(r => r.Result.CpuUsPerOpByRole), "N1")}) " +
                 $"| {PerRoleKiB(sat.Select(r => r.IdleRssKiB!))} -> {PerRoleKiB(sat.Select(r => r.Result.PeakRssKiBByRole))} | {sat.Sum(r => r.Result.Errors) + light.Sum(r => r.Result.Errors)} |");
        }

        Line();
    }

    private void Tls()
    {
        var rows = Configs("tls");
        if (rows.Count == 0) return;
        Line("### TLS 1.3 full handshakes (ECDSA P-256 from `sd cert`, no resumption), 2 workers");
        Line();
        Line("`loadgen conn --tls -t 4`: 4 blocking OpenSSL clients, each connect -> handshake -> first decrypted byte -> end. The client costs about as much CPU as the server here, so compare the server CPU per handshake.");
        Line();
        Line("| config | handshakes/s | x C | p50 / p99 us | server CPU us/handshake (per process) | RSS idle -> peak MiB (per process) | errors |");
        Line("|---|---|---|---|---|---|---|");
        foreach (var config in rows)
        {
            var runs = Rows("tls", config);
            Line($"| {config} | {MedianRange(runs.Select(r => r.Result.Rate), "N0")} | {Ratio("tls", config, "c-tls", r => r.Rate)} | {Med(runs.Select(r => r.Result.P50Us))} / {Med(runs.Select(r => r.Result.P99Us))} " +
                 $"| {Med(runs.Select(r => r.Result.CpuUsPerOp))} ({PerRole(runs.Select(r => r.Result.CpuUsPerOpByRole), "N0")}) | {PerRoleKiB(runs.Select(r => r.IdleRssKiB!))} -> {PerRoleKiB(runs.Select(r => r.Result.PeakRssKiBByRole))} | {runs.Sum(r => r.Result.Errors)} |");
        }

        Line();
    }

    private void Messages()
    {
        if (Configs("messages-1").Count == 0) return;
        Line("### Pipelined messages, 16 requests in flight per connection");
        Line();
        Line("sd: `ALIVE` -> `ABSOLUTELY reply_timestamp=...` through `sd listen --handler conversation` (plain TCP, 2 dispatchers). redis: `PING` inline -> `+PONG`, driven by redis-benchmark (the anchor) and by the same load generator as sd (same client cost).");
        Line();
        Line("| connections | config | msg/s | x redis-benchmark | x redis (same client) | server CPU us/msg | errors |");
        Line("|---|---|---|---|---|---|---|");
        foreach (var section in new[] { "messages-1", "messages-50" })
        {
            foreach (var config in Configs(section))
            {
                var runs = Rows(section, config);
                Line($"| {section["messages-".Length..]} | {config} | {MedianRange(runs.Select(r => r.Result.Rate), "N0")} | {Ratio(section, config, "redis-benchmark", r => r.Rate)} | {Ratio(section, config, "redis (loadgen)", r => r.Rate)} | {Med(runs.Select(r => r.Result.CpuUsPerOp), "N2")} | {runs.Sum(r => r.Result.Errors)} |");
            }
        }

        Line();
    }

    private void Memory()
    {
        if (_results.Memory.Count == 0) return;
        Line("### Memory: idle connections (greeted once, then silent), one worker / dispatcher");
        Line();
        Line("Per connection = (RSS holding - RSS idle) / connections that process holds (its open fds, idle -> holding). `loadgen hold` opens them; RLIMIT_NOFILE is raised to the hard limit. RSS is user-space memory only: the kernel's socket buffers and epoll entries are not in it, which is why the C worker grows by about nothing.");
        Line();
        Line("| server | connections held | open in s | RSS idle MiB (per process) | RSS holding MiB (per process) | KiB per connection, worker | listener growth MiB | errors |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var m in _results.Memory)
        {
            var worker = m.HoldingRssKiB.Keys.Last();
            var main = m.HoldingRssKiB.Keys.First();
            var listenerGrowth = m.HoldingRssKiB.Count > 1 ? ((m.HoldingRssKiB[main] - m.IdleRssKiB.GetValueOrDefault(main)) / 1024.0).ToString("N1", CultureInfo.InvariantCulture) : "n/a";
            Line($"| {m.Config} | {m.Held:N0} | {m.OpenSeconds:N1} | {Roles(m.IdleRssKiB)} | {Roles(m.HoldingRssKiB)} | {PerConnection(m, worker):N1} | {listenerGrowth} | {m.Errors} |");
        }

        Line();
    }

    private void Startup()
    {
        var configs = Configs("handoff").Concat(Configs("tls")).ToList();
        if (configs.Count == 0) return;
        Line("### Startup");
        Line();
        Line("Ready = from starting the server to its ready line (sd: every dispatcher joined; others: \"ready\") and a first greeting read (plain only). Dispatcher ready = spawn -> HELLO accepted (the listener's \"started dispatcher process\" and \"dispatcher PID joined\" log lines).");
        Line();
        Line("| config | ready ms | dispatcher spawn -> HELLO ms | RSS idle MiB (per process) |");
        Line("|---|---|---|---|");
        foreach (var config in configs)
        {
            var runs = _results.Runs.Where(r => (r.Section is "handoff" or "tls") && r.Config == config).ToList();
            var dispatchers = runs.SelectMany(r => r.DispatcherReadyMs ?? []).ToList();
            Line($"| {config} | {MedianRange(runs.Select(r => r.ReadyMs), "N0")} | {(dispatchers.Count == 0 ? "n/a" : MedianRange(dispatchers, "N0"))} | {PerRoleKiB(runs.Select(r => r.IdleRssKiB!))} |");
        }

        Line();
    }

    private void Problems()
    {
        if (_results.Problems.Count == 0) return;
        Line("### Not measured in this run");
        Line();
        foreach (var p in _results.Problems) Line($"- {p.Replace("|", "\\|", StringComparison.Ordinal)}");
        Line();
    }

    private void Commands()
    {
        Line("### Commands");
        Line();
        Line("```sh");
        Line(_options.Quick ? "dotnet pwsh ./build.ps1 Bench -Quick" : "dotnet pwsh ./build.ps1 Bench");
        Line($"dotnet run -c Release --project bench/SocketDispatcher.Bench --{(_options.Quick ? " --quick" : "")}");
        Line("# what it ran ($PORT: a free port on 127.0.0.1; every process under timeout --kill-after=5 BOUND):");
        foreach (var c in context.Commands.Commands) Line(c);
        Line("```");
    }

    private List<string> Configs(string section) => _results.Runs.Where(r => r.Section == section).Select(r => r.Config).Distinct().ToList();

    private List<RunRow> Rows(string section, string config) => _results.Runs.Where(r => r.Section == section && r.Config == config).ToList();

    /// <summary>The median (and range) of config / reference, each ratio taken within one round.</summary>
    private string Ratio(string section, string config, string reference, Func<LoadResult, double> value)
    {
        var ratios = new List<double>();
        foreach (var row in Rows(section, config))
        {
            var other = _results.Runs.FirstOrDefault(r => r.Section == section && r.Config == reference && r.Round == row.Round);
            if (other is not null && value(other.Result) > 0) ratios.Add(value(row.Result) / value(other.Result));
        }

        if (ratios.Count == 0) return "n/a";
        return ratios.Count == 1 ? $"{ratios[0]:N2}" : $"{Stats.Median(ratios):N2} ({ratios.Min():N2}-{ratios.Max():N2})";
    }

    private static double PerConnection(MemoryRow m, string role)
    {
        var held = m.HeldFds.GetValueOrDefault(role);
        return held <= 0 ? double.NaN : (m.HoldingRssKiB[role] - m.IdleRssKiB.GetValueOrDefault(role)) / (double)held;
    }

    private static string MedianRange(IEnumerable<double> values, string format)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        if (list.Count == 0) return "n/a";
        var median = Stats.Median(list).ToString(format, CultureInfo.InvariantCulture);
        if (list.Count == 1) return median;
        var (min, max) = Stats.Range(list);
        return $"{median} ({min.ToString(format, CultureInfo.InvariantCulture)}-{max.ToString(format, CultureInfo.InvariantCulture)})";
    }

    private static string Med(IEnumerable<double> values, string format = "N0")
    {
        var list = values.ToList();
        return list.Count == 0 ? "n/a" : Stats.Median(list).ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Per-role medians over the rounds, "a / b / c" in role order.</summary>
    private static string PerRole(IEnumerable<IReadOnlyDictionary<string, double>> values, string format)
    {
        var list = values.ToList();
        if (list.Count == 0 || list[0].Count == 0) return "n/a";
        return string.Join(" / ", list[0].Keys.Select(role => Stats.Median(list.Select(v => v.GetValueOrDefault(role))).ToString(format, CultureInfo.InvariantCulture)));
    }

    private static string PerRoleKiB(IEnumerable<IReadOnlyDictionary<string, long>> values)
        => PerRole(values.Where(v => v is not null).Select(v => (IReadOnlyDictionary<string, double>)v.ToDictionary(kv => kv.Key, kv => kv.Value / 1024.0)), "N1");

    private static string Roles(IReadOnlyDictionary<string, long> rss) => string.Join(" / ", rss.Values.Select(v => (v / 1024.0).ToString("N1", CultureInfo.InvariantCulture)));

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _text.Append(text).Append('\n');

    private void Text(string text) => _text.Append(text);
}
