namespace SocketDispatcher;

/// <summary>
/// Where a listener is in its life (<see cref="SdListener.State"/>, <see cref="SdListenerInfo.State"/>);
/// <c>STATUS</c> writes it in lower case: <c>running</c>, <c>stopping</c>, <c>stopped</c>.
/// </summary>
public enum SdListenerState
{
    /// <summary>Accepting connections and handing them to dispatchers (<c>running</c>).</summary>
    Running,

    /// <summary>No longer accepting; its dispatchers finish open conversations (<c>stopping</c>).</summary>
    Stopping,

    /// <summary>Stopped and cleaned up (<c>stopped</c>).</summary>
    Stopped,
}
