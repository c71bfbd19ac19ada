using System.Globalization;

namespace SocketDispatcher.Bench;

/// <summary>
/// Pipelined request/response lines on long connections, 16 requests in flight per connection:
/// ALIVE -> ABSOLUTELY through <c>sd listen --handler conversation</c> (plain TCP) on 1 and on 50
/// connections, against redis-server answering PING_INLINE, driven both by redis-benchmark -P 16
/// (the anchor issue 7 names) and by the same load generator as sd (same client cost).
/// </summary>
internal static class MessageSuite
{
    private const string Depth = "16";

    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        var hasRedis = context.RedisServer is not null && context.RedisBenchmark is not null;
        for (var round = 0; round < options.Rounds; round++)
        {
            Console.WriteLine($"messages round {round + 1}/{options.Rounds}");
            try
            {
                await using var sd = await context.StartSdAsync("sd-conversation", "conversation", 2, tls: false).ConfigureAwait(false);
                await using var redis = hasRedis ? await context.StartRedisAsync("redis").ConfigureAwait(false) : null;
                foreach (var connections in new[] { 1, 50 })
                {
                    var section = $"messages-{connections}";
                    var shape = connections == 1 ? new[] { "-t", "1", "-c", "1" } : ["-t", "2", "-c", "25"];
                    var runs = new List<(string Name, Func<Task<LoadResult>> Run)>
                    {
                        ("sd-conversation", () => context.LoadGen.RunAsync(sd, ["msg", "-p", Port(sd), .. shape, "-P", Depth, "-s", "1", "-r", "ALIVE\\n"], options.WarmupSeconds, options.Seconds)),
                    };
                    if (redis is not null)
                    {
                        runs.Add(("redis (loadgen)", () => context.LoadGen.RunAsync(redis, ["msg", "-p", Port(redis), .. shape, "-P", Depth, "-s", "0", "-r", "PING\\r\\n"], options.WarmupSeconds, options.Seconds)));
                        runs.Add(("redis-benchmark", () => RedisBenchmarkAsync(context, redis, connections)));
                    }

                    foreach (var (name, run) in HandoffSuite.Rotate(runs, round))
                    {
                        context.Cancellation.ThrowIfCancellationRequested();
                        var result = await run().ConfigureAwait(false);
                        context.Results.Runs.Add(new RunRow(section, round, name, result));
                        Console.WriteLine($"         {connections,2} conn  {name,-16} {result.Rate,11:N0} msg/s  server CPU {result.CpuUsPerOp:N2} us/msg  errors {result.Errors}");
                    }
                }
            }
            catch (BenchException ex)
            {
                context.Problem($"messages round {round + 1}: {ex.Message}");
            }
        }

        if (!hasRedis) context.Problem("messages: redis-server or redis-benchmark is missing (apt-get install redis-server redis-tools): no redis anchor");
    }

    /// <summary>
    /// redis-benchmark -t ping_inline -P 16 with a request count sized to last about the measured
    /// seconds at a few hundred thousand requests/s; redis-server's CPU is sampled around the run.
    /// </summary>
    private static async Task<LoadResult> RedisBenchmarkAsync(BenchContext context, BenchServer redis, int connections)
    {
        var requests = (long)(context.Options.Seconds * (connections == 1 ? 300_000 : 600_000));
        string[] arguments = ["-h", "127.0.0.1", "-p", Port(redis), "-t", "ping_inline", "-P", Depth, "-c", connections.ToString(CultureInfo.InvariantCulture), "-n", requests.ToString(CultureInfo.InvariantCulture), "--csv"];
        var before = await redis.CpuTicksAsync().ConfigureAwait(false);
        await using var client = OwnedProcess.Start("redis-benchmark", context.RedisBenchmark!, arguments, TimeSpan.FromSeconds(context.Options.Seconds * 10 + 30));
        context.Commands.Add(client.CommandLine, redis.Port);
        if (!await client.WaitForExitAsync(TimeSpan.FromSeconds(context.Options.Seconds * 10 + 40)).ConfigureAwait(false) || client.ExitCode != 0)
        {
            throw new BenchException($"redis-benchmark failed: {client.Tail()}");
        }

        var after = await redis.CpuTicksAsync().ConfigureAwait(false);
        var lines = client.Lines.Select(l => l.Text).ToList();
        var header = lines.FirstOrDefault(l => l.StartsWith("\"test\"", StringComparison.Ordinal));
        var row = lines.FirstOrDefault(l => l.StartsWith("\"PING_INLINE\"", StringComparison.Ordinal));
        if (header is null || row is null) throw new BenchException($"redis-benchmark printed no PING_INLINE row: {client.Tail()}");
        var names = Csv(header);
        var values = Csv(row);
        double Column(string name) => double.Parse(values[Array.IndexOf(names, name)], CultureInfo.InvariantCulture);
        var rate = Column("rps");
        var byRole = after.ToDictionary(kv => kv.Key, kv => (kv.Value - before.GetValueOrDefault(kv.Key)) / ProcFs.TicksPerSecond * 1e6 / requests);
        return new LoadResult(rate, Column("p50_latency_ms") * 1000, Column("p99_latency_ms") * 1000, requests, 0, byRole.Values.Sum(), byRole, new Dictionary<string, long>());
    }

    private static string[] Csv(string line) => line.Split(',').Select(v => v.Trim('"')).ToArray();

    private static string Port(BenchServer server) => server.Port.ToString(CultureInfo.InvariantCulture);
}
