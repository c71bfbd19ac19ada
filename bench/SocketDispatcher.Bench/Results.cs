namespace SocketDispatcher.Bench;

/// <summary>Everything one benchmark run found, for the report.</summary>
internal sealed class Results
{
    public List<RunRow> Runs { get; } = [];

    public List<MemoryRow> Memory { get; } = [];

    /// <summary>What could not be measured, and why (a missing tool, a failed start).</summary>
    public List<string> Problems { get; } = [];

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public string LoadAtStart { get; init; } = "";

    public string LoadAtEnd { get; set; } = "";

    public TimeSpan Duration { get; set; }
}
