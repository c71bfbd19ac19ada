namespace SocketDispatcher;

/// <summary>Options of a permanent client (<c>Connect-SdClient -Permanent</c>, <c>sd client --permanent</c>).</summary>
public sealed class SdPermanentClientOptions
{
    /// <summary>How each connection is made (TLS, connect timeout, line limit, trace). Default: <see cref="SdClientOptions"/>'s defaults.</summary>
    public SdClientOptions Connection { get; init; } = new();

    /// <summary>
    /// The pause before each retry, one per attempt, the last repeating: after a failed attempt n
    /// (from 0) it waits <c>Pauses[min(n, Count-1)]</c>. The first attempt, at start and after a lost
    /// connection, is immediate. Default: 1 s, 2 s, 5 s, 10 s (seed 001's client).
    /// </summary>
    public IReadOnlyList<TimeSpan> Pauses { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    /// <summary>Each pause is moved by a random amount up to this fraction either way, so that many clients do not retry in step. Default: 0.1 (+-10%).</summary>
    public double Jitter { get; init; } = 0.1;

    /// <summary>How many messages sent while disconnected are kept, to be sent in order on reconnect; one more is an error to the caller. Default: 1,000.</summary>
    public int QueueCapacity { get; init; } = 1000;
}
