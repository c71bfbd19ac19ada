namespace SocketDispatcher;

/// <summary>How a listener picks the dispatcher for a new connection (<c>--balance</c>).</summary>
public enum SdBalance
{
    /// <summary>Each ready dispatcher in turn, skipping those at capacity (<c>round-robin</c>).</summary>
    RoundRobin,

    /// <summary>The ready dispatcher with the fewest open and pending connections; ties in turn (<c>least-loaded</c>).</summary>
    LeastLoaded,
}
