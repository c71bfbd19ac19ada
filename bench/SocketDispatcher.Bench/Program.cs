using System.CommandLine;
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

root.SetAction(async (result, cancellationToken) =>
{
    // Whatever ends the run (an exception, Ctrl+C, SIGTERM), no server or client is left behind.
    AppDomain.CurrentDomain.ProcessExit += (_, _) => OwnedProcess.KillAll();
    Console.CancelKeyPress += (_, _) => OwnedProcess.KillAll();
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
    finally
    {
        OwnedProcess.KillAll();
    }
});

return await root.Parse(args).InvokeAsync();
