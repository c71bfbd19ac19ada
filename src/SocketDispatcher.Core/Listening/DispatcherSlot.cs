namespace SocketDispatcher.Listening;

/// <summary>One of the N dispatcher processes a listener keeps running; a dead one is restarted in its slot.</summary>
internal sealed class DispatcherSlot
{
    public DispatcherProcess? Process { get; set; }

    public int Restarts { get; set; }
}
