namespace SocketDispatcher.Bench;

/// <summary>The distinct command lines the benchmark ran, ports shown as $PORT, in first-seen order, for the report.</summary>
internal sealed class CommandLog(IReadOnlyList<(string Text, string ShownAs)> replacements)
{
    private readonly List<string> _commands = [];

    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_commands) return _commands.ToList();
        }
    }

    public void Add(string commandLine, int? port)
    {
        var shown = port is { } p ? commandLine.Replace(p.ToString(System.Globalization.CultureInfo.InvariantCulture), "$PORT", StringComparison.Ordinal) : commandLine;
        foreach (var (text, shownAs) in replacements) shown = shown.Replace(text, shownAs, StringComparison.Ordinal);
        lock (_commands)
        {
            if (!_commands.Contains(shown)) _commands.Add(shown);
        }
    }
}
