using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Bench;

/// <summary>What the report says about the machine: /proc/cpuinfo, /proc/meminfo, uname, load, tool versions.</summary>
internal static class MachineInfo
{
    public static string CpuModel()
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    public static string Memory()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        if (line is null) return "unknown";
        var kib = long.Parse(line["MemTotal:".Length..].Trim().TrimEnd('B', 'k').Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return $"{kib / 1024.0 / 1024.0:N1} GiB";
    }

    /// <summary>The 1, 5 and 15 minute load averages (proc(5) /proc/loadavg).</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static double LoadAverage1() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    public static string Runtime() => $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})";

    /// <summary>The first line a command prints (bounded to 10 s), or "not found".</summary>
    public static string FirstLine(string file, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return "did not answer";
            }

            var text = output.Result.Length > 0 ? output.Result : error.Result;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }

    /// <summary>A program on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
