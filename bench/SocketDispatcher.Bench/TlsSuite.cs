using System.Globalization;

namespace SocketDispatcher.Bench;

/// <summary>
/// Full TLS 1.3 handshakes (ECDSA P-256 certificate from <c>sd cert</c>, no resumption) through
/// the C reference with OpenSSL and through <c>sd listen</c> on a tls:// endpoint, interleaved.
/// The client (4 threads, one blocking handshake each) costs about as much CPU as the server, so
/// the server CPU per handshake is the figure that carries over.
/// </summary>
internal static class TlsSuite
{
    public static async Task RunAsync(BenchContext context)
    {
        var configs = new List<(string Name, Func<Task<BenchServer>> Start)>
        {
            ("c-tls", () => context.StartReferenceAsync("c-tls", "greet", 2, tls: true)),
            ("sd-tls", () => context.StartSdAsync("sd-tls", "greet", 2, tls: true)),
        };
        var options = context.Options;
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var (name, start) in HandoffSuite.Rotate(configs, round))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                Console.WriteLine($"tls      round {round + 1}/{options.Rounds}  {name}");
                try
                {
                    await using var server = await start().ConfigureAwait(false);
                    var idle = await server.RssKiBAsync().ConfigureAwait(false);
                    var dispatchers = name.StartsWith("sd", StringComparison.Ordinal) ? BenchContext.DispatcherReadyMs(server) : null;
                    var port = server.Port.ToString(CultureInfo.InvariantCulture);
                    var result = await context.LoadGen.RunAsync(server, ["conn", "--tls", "-p", port, "-t", "4"], options.WarmupSeconds, options.Seconds).ConfigureAwait(false);
                    context.Results.Runs.Add(new RunRow("tls", round, name, result, server.ReadyAfter.TotalMilliseconds, idle, dispatchers));
                    Console.WriteLine($"         {result.Rate,9:N0} handshakes/s  p50/p99 {result.P50Us:N0}/{result.P99Us:N0} us  server CPU {result.CpuUsPerOp:N0} us/handshake  errors {result.Errors}");
                }
                catch (BenchException ex)
                {
                    context.Problem($"tls round {round + 1}, {name}: {ex.Message}");
                }
            }
        }
    }
}
