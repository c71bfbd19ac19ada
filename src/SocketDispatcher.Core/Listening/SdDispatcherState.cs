namespace SocketDispatcher;

/// <summary>
/// Where a dispatcher is, as its listener sees it (<see cref="SdDispatcherInfo.State"/>); <c>STATUS</c>
/// writes it in lower case: <c>starting</c>, <c>ready</c>, <c>exiting</c>.
/// </summary>
public enum SdDispatcherState
{
    /// <summary>Spawned or connected, no <c>HELLO</c> yet: it gets no connection (<c>starting</c>).</summary>
    Starting,

    /// <summary>Said <c>HELLO</c> and got <c>CONFIG</c>: it takes connections up to its capacity (<c>ready</c>).</summary>
    Ready,

    /// <summary>Got <c>EXIT</c>: it finishes its open conversations and takes no new one (<c>exiting</c>).</summary>
    Exiting,
}
