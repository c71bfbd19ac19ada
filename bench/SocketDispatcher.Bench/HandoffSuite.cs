using System.Globalization;

namespace SocketDispatcher.Bench;

/// <summary>
/// Short plain connections ("HI\n", close) through each handoff pipeline: saturation (2 client
/// threads x 16 connections in flight) and light load (one connection at a time), interleaved over
/// rounds: c-handoff, node-cluster and sd-handoff each run once per round, in a rotated order.
/// </summary>
internal static class HandoffSuite
{
    public static async Task RunAsync(BenchContext context)
    {
        var configs = new List<(string Name, Func<Task<BenchServer>> Start)>
        {
            ("c-handoff", () => context.StartReferenceAsync("c-handoff", "greet", 2, tls: false)),
        };
        if (context.Node is not null) configs.Add(("node-cluster", () => context.StartNodeAsync("node-cluster")));
        configs.Add(("sd-handoff", () => context.StartSdAsync("sd-handoff", "greet", 2, tls: false)));

        var options = context.Options;
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var (name, start) in Rotate(configs, round))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                Console.WriteLine($"handoff  round {round + 1}/{options.Rounds}  {name}");
                try
                {
                    await using var server = await start().ConfigureAwait(false);
                    var idle = await server.RssKiBAsync().ConfigureAwait(false);
                    var dispatchers = name.StartsWith("sd", StringComparison.Ordinal) ? BenchContext.DispatcherReadyMs(server) : null;
                    var port = server.Port.ToString(CultureInfo.InvariantCulture);
                    var saturated = await context.LoadGen.RunAsync(server, ["conn", "-p", port, "-t", "2", "-c", "16"], options.WarmupSeconds, options.Seconds).ConfigureAwait(false);
                    context.Results.Runs.Add(new RunRow("handoff", round, name, saturated, server.ReadyAfter.TotalMilliseconds, idle, dispatchers));
                    var light = await context.LoadGen.RunAsync(server, ["conn", "-p", port, "-t", "1", "-c", "1"], Math.Min(0.5, options.WarmupSeconds), options.LightSeconds).ConfigureAwait(false);
                    context.Results.Runs.Add(new RunRow("light", round, name, light));
                    Console.WriteLine($"         {saturated.Rate,9:N0} conn/s  p99 {saturated.P99Us:N0} us  light p50/p99 {light.P50Us:N0}/{light.P99Us:N0} us  server CPU {saturated.CpuUsPerOp:N1} us/conn  errors {saturated.Errors + light.Errors}");
                }
                catch (BenchException ex)
                {
                    context.Problem($"handoff round {round + 1}, {name}: {ex.Message}");
                }
            }
        }
    }

    /// <summary>The configurations in the order of round <paramref name="round"/>: A B C, B C A, C A B, ...</summary>
    public static IEnumerable<T> Rotate<T>(IReadOnlyList<T> items, int round)
    {
        var shift = round % items.Count;
        return items.Skip(shift).Concat(items.Take(shift));
    }
}
