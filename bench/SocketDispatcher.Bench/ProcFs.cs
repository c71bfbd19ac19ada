using System.Globalization;

namespace SocketDispatcher.Bench;

/// <summary>What the benchmark reads from /proc (proc(5)): CPU time, RSS, open fds, children.</summary>
internal static class ProcFs
{
    /// <summary>Clock ticks per second of utime/stime: sysconf(_SC_CLK_TCK) as getconf(1) prints it, else Linux's usual 100.</summary>
    public static double TicksPerSecond { get; } = double.TryParse(MachineInfo.FirstLine("getconf", "CLK_TCK"), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100.0;

    /// <summary>utime + stime of one process, in ticks, from /proc/PID/stat; null once it is gone.</summary>
    public static long? CpuTicks(int pid)
    {
        var fields = StatFields(pid);
        if (fields is null) return null;
        // Fields after the ")" that ends comm: state is index 0, so utime (14) and stime (15) are 11 and 12.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The parent pid of a process; null once it is gone.</summary>
    public static int? ParentProcessId(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? null : int.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS in KiB from /proc/PID/status; null once it is gone.</summary>
    public static long? RssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>How many fds a process has open (/proc/PID/fd); null once it is gone.</summary>
    public static int? OpenFds(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The direct children of a process, by pid order (a scan of /proc/*/stat).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)) continue;
            if (ParentProcessId(candidate) == pid) children.Add(candidate);
        }

        children.Sort();
        return children;
    }

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // comm may hold spaces and parentheses: everything after the last ')' is space-separated.
        var end = text.LastIndexOf(')');
        return end < 0 ? null : text[(end + 2)..].Split(' ');
    }
}
