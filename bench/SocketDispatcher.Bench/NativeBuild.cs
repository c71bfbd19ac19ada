namespace SocketDispatcher.Bench;

/// <summary>Builds the C reference and the load generator with <c>cc -O2</c> (they link OpenSSL).</summary>
internal static class NativeBuild
{
    public static async Task<IReadOnlyList<string>> BuildAsync(string repoRoot, string outputDirectory, CommandLog commands)
    {
        if (MachineInfo.FindOnPath("cc") is null)
        {
            throw new BenchException("no C compiler: install one with 'apt-get install -y gcc libc6-dev' (build.ps1 Bench does it when run as root)");
        }

        if (!File.Exists("/usr/include/openssl/ssl.h"))
        {
            throw new BenchException("no OpenSSL headers: install them with 'apt-get install -y libssl-dev' (build.ps1 Bench does it when run as root)");
        }

        Directory.CreateDirectory(outputDirectory);
        List<string[]> builds =
        [
            ["-O2", "-Wall", "-Wextra", "-o", Path.Combine(outputDirectory, "reference"), "bench/reference/reference_listener.c", "bench/reference/reference_worker.c", "-lssl", "-lcrypto"],
            ["-O2", "-Wall", "-Wextra", "-pthread", "-o", Path.Combine(outputDirectory, "loadgen"), "bench/loadgen/loadgen.c", "-lssl", "-lcrypto"],
        ];
        var lines = new List<string>();
        foreach (var arguments in builds)
        {
            var info = new System.Diagnostics.ProcessStartInfo("cc") { WorkingDirectory = repoRoot, UseShellExecute = false, RedirectStandardError = true };
            foreach (var a in arguments) info.ArgumentList.Add(a);
            using var process = System.Diagnostics.Process.Start(info)!;
            var errors = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            var line = "cc " + string.Join(' ', arguments);
            commands.Add(line, null);
            if (process.ExitCode != 0) throw new BenchException($"'{line}' failed with exit code {process.ExitCode}: {errors}");
            lines.Add(line);
        }

        return lines;
    }
}
