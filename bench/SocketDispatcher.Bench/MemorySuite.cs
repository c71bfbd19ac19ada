namespace SocketDispatcher.Bench;

/// <summary>
/// RSS of a server idle and holding many idle connections (each greeted once, then silent), plain
/// and TLS, sd with one dispatcher (so one dispatcher holds them all) and the C reference with one
/// worker. Per connection = (RSS holding - RSS idle) / connections held by that process.
/// </summary>
internal static class MemorySuite
{
    public static async Task RunAsync(BenchContext context)
    {
        var options = context.Options;
        var configs = new List<(string Name, int Count, bool Tls, Func<Task<BenchServer>> Start)>
        {
            ("sd plain", options.MemoryConnections, false, () => context.StartSdAsync("sd plain", "conversation", 1, tls: false)),
            ("c plain", options.MemoryConnections, false, () => context.StartReferenceAsync("c plain", "hold", 1, tls: false)),
            ("sd tls", options.MemoryTlsConnections, true, () => context.StartSdAsync("sd tls", "conversation", 1, tls: true)),
            ("c tls", options.MemoryTlsConnections, true, () => context.StartReferenceAsync("c tls", "hold", 1, tls: true)),
        };
        foreach (var (name, count, tls, start) in configs)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            Console.WriteLine($"memory   {name}: {count:N0} idle connections");
            try
            {
                await using var server = await start().ConfigureAwait(false);
                await Task.Delay(1000).ConfigureAwait(false);
                var idleRss = await server.RssKiBAsync().ConfigureAwait(false);
                var idleFds = await server.OpenFdsAsync().ConfigureAwait(false);
                var (client, holding, errors, openSeconds) = await context.LoadGen.HoldAsync(server.Port, count, tls, tls ? 4 : 2, TimeSpan.FromMinutes(3)).ConfigureAwait(false);
                await using (client)
                {
                    // Let the dispatcher settle: the last greetings were written a moment ago.
                    await Task.Delay(1000).ConfigureAwait(false);
                    var holdingRss = await server.RssKiBAsync().ConfigureAwait(false);
                    var holdingFds = await server.OpenFdsAsync().ConfigureAwait(false);
                    var held = holdingFds.ToDictionary(kv => kv.Key, kv => kv.Value - idleFds.GetValueOrDefault(kv.Key));
                    context.Results.Memory.Add(new MemoryRow(name, holding, errors, openSeconds, idleRss, holdingRss, held));
                    var worker = holdingRss.Keys.LastOrDefault() ?? "";
                    var perConnection = held.GetValueOrDefault(worker) > 0 ? (holdingRss[worker] - idleRss.GetValueOrDefault(worker)) / (double)held[worker] : double.NaN;
                    Console.WriteLine($"         held {holding:N0} in {openSeconds:F1} s (errors {errors}); {worker}: {idleRss.GetValueOrDefault(worker) / 1024.0:N1} -> {holdingRss.GetValueOrDefault(worker) / 1024.0:N1} MiB, {perConnection:N1} KiB/connection");
                    client.CloseInput();
                    await client.WaitForExitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                }
            }
            catch (BenchException ex)
            {
                context.Problem($"memory {name}: {ex.Message}");
            }
        }
    }
}
