using System.Diagnostics;

namespace SocketDispatcher.Bench;

/// <summary>One benchmark run: check the tools, build the C code, run the sections, write the report.</summary>
internal static class BenchRunner
{
    /// <summary>The folder holding SocketDispatcher.sln, from the current directory or the program's.</summary>
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "SocketDispatcher.sln"))) return directory.FullName;
            }
        }

        throw new BenchException("cannot find the repository (no SocketDispatcher.sln above the current directory)");
    }

    public static async Task RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!File.Exists(options.Sd)) throw new BenchException($"{options.Sd} does not exist: run 'dotnet pwsh ./build.ps1 Build' first (build.ps1 Bench does)");
        if (MachineInfo.FindOnPath("timeout") is null) throw new BenchException("timeout(1) is missing (coreutils): every process the bench starts runs under it");

        var scratch = Directory.CreateTempSubdirectory("sd-bench-").FullName;
        var commands = new CommandLog([(options.RepoRoot + "/", ""), (scratch, "$SCRATCH"), ($"bench-{Environment.ProcessId}-", "bench-$PID-")]);
        try
        {
            var native = Path.Combine(options.RepoRoot, "artifacts/bench");
            Console.WriteLine($"bench: building the C reference and load generator into {native}");
            await NativeBuild.BuildAsync(options.RepoRoot, native, commands).ConfigureAwait(false);

            var context = new BenchContext(options, native, scratch, commands)
            {
                Node = MachineInfo.FindOnPath("node"),
                RedisServer = MachineInfo.FindOnPath("redis-server"),
                RedisBenchmark = MachineInfo.FindOnPath("redis-benchmark"),
                Cancellation = cancellationToken,
            };
            if (context.Node is null) context.Problem("node-cluster: node is not on PATH (apt-get install nodejs)");
            if (MachineInfo.LoadAverage1() > 0.5 * Environment.ProcessorCount)
            {
                Console.WriteLine($"bench: the machine is busy (load average {context.Results.LoadAtStart}); figures will be noisy");
            }

            await MakeCertificatesAsync(options, context).ConfigureAwait(false);
            var sections = new (string Name, Func<BenchContext, Task> Run)[]
            {
                ("handoff", HandoffSuite.RunAsync), ("tls", TlsSuite.RunAsync), ("messages", MessageSuite.RunAsync), ("memory", MemorySuite.RunAsync),
            };
            foreach (var (name, run) in sections)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (options.Sections.Contains(name)) await run(context).ConfigureAwait(false);
            }

            context.Results.LoadAtEnd = MachineInfo.LoadAverage();
            context.Results.Duration = clock.Elapsed;
            var tools = new Dictionary<string, string>
            {
                ["uname"] = MachineInfo.FirstLine("uname", "-srvm"),
                ["dotnet"] = MachineInfo.Runtime(),
                ["cc"] = MachineInfo.FirstLine("cc", "--version"),
                ["node"] = context.Node is null ? "not found" : MachineInfo.FirstLine(context.Node, "--version"),
                ["openssl"] = MachineInfo.FirstLine("openssl", "version"),
                ["redis"] = context.RedisServer is null ? "redis not found" : MachineInfo.FirstLine(context.RedisServer, "--version"),
            };
            var part = new ReportWriter(context, tools).Render();
            ReportWriter.Write(options.Output, part);
            Console.WriteLine($"bench: wrote {options.Output} in {clock.Elapsed.TotalMinutes:F1} min");
        }
        finally
        {
            OwnedProcess.KillAll();
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>An ECDSA P-256 development certificate from <c>sd cert</c>, used by every TLS server here.</summary>
    private static async Task MakeCertificatesAsync(BenchOptions options, BenchContext context)
    {
        await using var cert = OwnedProcess.Start("sd cert", options.Sd, ["cert", "--out", context.CertificateDirectory], TimeSpan.FromSeconds(60));
        context.Commands.Add(cert.CommandLine, null);
        if (!await cert.WaitForExitAsync(TimeSpan.FromSeconds(70)).ConfigureAwait(false) || cert.ExitCode != 0)
        {
            throw new BenchException($"sd cert failed: {cert.Tail()}");
        }
    }
}
