namespace SocketDispatcher;

/// <summary>One connection handed to a dispatcher, as <c>Start-SdListener</c> streams them.</summary>
public sealed class SdHandoff
{
    internal SdHandoff(string connectionId, SdEndpoint endpoint, string peer, int dispatcherPid, int attempt, DateTimeOffset time)
    {
        ConnectionId = connectionId;
        Endpoint = endpoint;
        Peer = peer;
        DispatcherPid = dispatcherPid;
        Attempt = attempt;
        Time = time;
    }

    /// <summary>The connection id, as in <c>CONNECTION id=...</c>.</summary>
    public string ConnectionId { get; }

    /// <summary>The listener endpoint the connection came in on.</summary>
    public SdEndpoint Endpoint { get; }

    /// <summary>The client's address and port.</summary>
    public string Peer { get; }

    /// <summary>The pid of the dispatcher it was handed to.</summary>
    public int DispatcherPid { get; }

    /// <summary>1 for the first handoff; more when a dispatcher died before confirming it.</summary>
    public int Attempt { get; }

    /// <summary>When it was handed (UTC).</summary>
    public DateTimeOffset Time { get; }
}
