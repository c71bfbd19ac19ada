using System.CommandLine;
using System.Runtime.InteropServices;
using SocketDispatcher.Bench;

var quick = new Option<bool>("--quick") { Description = "Smoke run: 1 round, 1.5 s windows, 1,000 TLS idle connections." };
var rounds = new Option<int?>("--rounds") { Description = "Interleaved rounds (default 3; 1 with --quick)." };
var seconds = new Option<double?>("--seconds") { Description = "Measured seconds of each run (default 5; 1.5 with --quick)." };
var sections = new Option<string[]>("--section") { Description = "Run only these sections: handoff, tls, messages, memory (repeatable).", AllowMultipleArgumentsPerToken = true };
var output = new Option<string?>("--output") { Description = "Report file (default docs/performance.md); only the part between the bench:handoff markers is rewritten." };
var sd = new Option<string?>("--sd") { Description = "The sd executable (default artifacts/SocketDispatcher/sd, made by build.ps1 Build)." };
var note = new Option<string?>("--note") { Description = "A note for the top of the report, e.g. \"quick run on a busy machine\"." };
var root = new RootCommand("SocketDispatcher's handoff benchmark (issue 7): sd vs a C reference, Node.js cluster and redis, written to docs/performance.md. It measures; it exits 0 whatever the figures.")
{
    quick, rounds, seconds, sections, output, sd, note,
};

// Whatever ends the run (an exception, Ctrl+C, SIGTERM, SIGHUP), no server or client is left
// behind: a signal kills every owned process tree first, then the harness stops as the signal asks.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => OwnedProcess.KillAll();

root.SetAction(async (result, cancellationToken) =>
{
    try
    {
        var repo = BenchRunner.FindRepoRoot();
        var defaults = result.GetValue(quick)
            ? BenchOptions.QuickDefaults(repo, "", "")
            : new BenchOptions { RepoRoot = repo, Sd = "", Output = "" };
        var options = defaults with
        {
            Sd = Path.GetFullPath(result.GetValue(sd) ?? Path.Combine(repo, "artifacts/SocketDispatcher/sd")),
            Output = Path.GetFullPath(result.GetValue(output) ?? Path.Combine(repo, "docs/performance.md")),
            Rounds = result.GetValue(rounds) ?? defaults.Rounds,
            Seconds = result.GetValue(seconds) ?? defaults.Seconds,
            Note = result.GetValue(note),
            Sections = result.GetValue(sections) is { Length: > 0 } only ? only.SelectMany(s => s.Split(',')).ToHashSet() : defaults.Sections,
        };
        await BenchRunner.RunAsync(options, cancellationToken).ConfigureAwait(false);
        return 0;
    }
    catch (BenchException ex)
    {
        await Console.Error.WriteLineAsync($"bench: {ex.Message}").ConfigureAwait(false);
        return 2;
    }
    catch (OperationCanceledException)
    {
        await Console.Error.WriteLineAsync("bench: stopped before the end; the report was not written").ConfigureAwait(false);
        return 130;
    }
    finally
    {
        OwnedProcess.KillAll();
    }
});

// The signals are handled above: System.CommandLine's own handling stays off.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static void OnSignal(PosixSignalContext context)
{
    Console.Error.WriteLine($"bench: {context.Signal}: stopping every process the benchmark started; no report is written");
    OwnedProcess.KillAll(closing: true);
    context.Cancel = true;
    Environment.Exit(128 + context.Signal switch { PosixSignal.SIGINT => 2, PosixSignal.SIGHUP => 1, _ => 15 });
}
