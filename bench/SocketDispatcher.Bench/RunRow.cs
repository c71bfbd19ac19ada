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
