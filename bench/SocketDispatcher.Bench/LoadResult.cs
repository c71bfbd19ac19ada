namespace SocketDispatcher.Bench;

/// <summary>One measured load run: the client's figures plus the server's CPU and peak RSS over the window.</summary>
internal sealed record LoadResult(
    double Rate,
    double P50Us,
    double P99Us,
    long Completed,
    long Errors,
    double CpuUsPerOp,
    IReadOnlyDictionary<string, double> CpuUsPerOpByRole,
    IReadOnlyDictionary<string, long> PeakRssKiBByRole);
