using System.Text.Json;

namespace SocketDispatcher.Bench;

/// <summary>
/// Runs the C load generator (bench/loadgen) against a server and samples the server's processes
/// while it runs: utime+stime at the load generator's measure-start and measure-end lines, so the
/// CPU figure covers the measured window only, and VmRSS every 250 ms for the peak.
/// </summary>
internal sealed class LoadGenerator(string binary, CommandLog commands)
{
    public string Binary { get; } = binary;

    /// <summary>Runs one conn or msg measurement; <paramref name="server"/> may be null (nothing to sample).</summary>
    public async Task<LoadResult> RunAsync(BenchServer? server, IReadOnlyList<string> arguments, double warmupSeconds, double seconds)
    {
        var all = arguments.Concat(["-W", Format(warmupSeconds), "-d", Format(seconds)]).ToList();
        var roles = server is null ? [] : await server.RolesAsync().ConfigureAwait(false);
        var startTicks = new Dictionary<string, long>();
        var endTicks = new Dictionary<string, long>();
        var peak = roles.ToDictionary(r => r.Role, _ => 0L);

        await using var client = OwnedProcess.Start("loadgen", Binary, all, TimeSpan.FromSeconds(warmupSeconds + seconds + 30));
        commands.Add(client.CommandLine, server?.Port);
        client.LineReceived += line =>
        {
            var target = line switch { "measure-start" => startTicks, "measure-end" => endTicks, _ => null };
            if (target is null) return;
            lock (target)
            {
                foreach (var (role, pid) in roles) target[role] = ProcFs.CpuTicks(pid) ?? 0;
            }
        };

        while (!client.Exited.IsCompleted)
        {
            foreach (var (role, pid) in roles) peak[role] = Math.Max(peak[role], ProcFs.RssKiB(pid) ?? 0);
            await Task.WhenAny(client.Exited, Task.Delay(250)).ConfigureAwait(false);
        }

        await client.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        var json = client.Lines.Select(l => l.Text).LastOrDefault(t => t.StartsWith('{'));
        if (client.ExitCode != 0 || json is null)
        {
            throw new BenchException($"loadgen exited with {client.ExitCode}: {client.Tail()} ({client.CommandLine})");
        }

        var output = JsonSerializer.Deserialize<LoadGenOutput>(json) ?? throw new BenchException($"loadgen printed no result: {json}");
        var byRole = new Dictionary<string, double>();
        lock (startTicks)
        lock (endTicks)
        {
            foreach (var (role, _) in roles)
            {
                var ticks = endTicks.GetValueOrDefault(role) - startTicks.GetValueOrDefault(role);
                byRole[role] = output.Completed == 0 ? 0 : ticks / ProcFs.TicksPerSecond * 1e6 / output.Completed;
            }
        }

        return new LoadResult(output.Rate, output.P50Us, output.P99Us, output.Completed, output.Errors, byRole.Values.Sum(), byRole, peak);
    }

    /// <summary>Starts a hold-mode run: COUNT connections opened and kept until <see cref="OwnedProcess.CloseInput"/>.</summary>
    public async Task<(OwnedProcess Client, long Holding, long Errors, double OpenSeconds)> HoldAsync(int port, int count, bool tls, int threads, TimeSpan bound)
    {
        var arguments = new List<string> { "hold", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", ((int)bound.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (tls) arguments.Add("--tls");
        var client = OwnedProcess.Start("loadgen hold", Binary, arguments, bound + TimeSpan.FromSeconds(10), redirectInput: true);
        commands.Add(client.CommandLine, port);
        try
        {
            await client.WaitForLineAsync(l => l.StartsWith("{\"holding\"", StringComparison.Ordinal), bound).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var line = client.Lines.Select(l => l.Text).Last(t => t.StartsWith("{\"holding\"", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return (client, root.GetProperty("holding").GetInt64(), root.GetProperty("errors").GetInt64(), root.GetProperty("open_seconds").GetDouble());
    }

    private static string Format(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
