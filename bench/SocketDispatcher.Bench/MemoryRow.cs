namespace SocketDispatcher.Bench;

/// <summary>One memory measurement: a server idle, then holding idle connections.</summary>
internal sealed record MemoryRow(
    string Config,
    long Held,
    long Errors,
    double OpenSeconds,
    IReadOnlyDictionary<string, long> IdleRssKiB,
    IReadOnlyDictionary<string, long> HoldingRssKiB,
    IReadOnlyDictionary<string, int> HeldFds);
