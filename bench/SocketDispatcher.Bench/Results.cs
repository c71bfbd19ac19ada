namespace SocketDispatcher.Bench;

/// <summary>One measured run of one configuration in one round.</summary>
internal sealed record RunRow(
    string Section,
    int Round,
    string Config,
    LoadResult Result,
    double ReadyMs = double.NaN,
    IReadOnlyDictionary<string, long>? IdleRssKiB = null,
    IReadOnlyList<double>? DispatcherReadyMs = null);

/// <summary>One memory measurement: a server idle, then holding idle connections.</summary>
internal sealed record MemoryRow(
    string Config,
    long Held,
    long Errors,
    double OpenSeconds,
    IReadOnlyDictionary<string, long> IdleRssKiB,
    IReadOnlyDictionary<string, long> HoldingRssKiB,
    IReadOnlyDictionary<string, int> HeldFds);

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
