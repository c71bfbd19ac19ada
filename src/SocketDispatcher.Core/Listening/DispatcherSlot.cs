namespace SocketDispatcher.Listening;

/// <summary>
/// One of the N dispatcher processes a listener keeps running; a dead one is restarted in its slot.
/// Guarded by the lock of the <see cref="DispatcherSupervisor"/> that owns it: its methods are called under it.
/// </summary>
internal sealed class DispatcherSlot
{
    /// <summary>The process running in it now (or the last one); null before the first spawn.</summary>
    public DispatcherProcess? Process { get; private set; }

    /// <summary>How many times a process was started again in it.</summary>
    public int Restarts { get; private set; }

    /// <summary>A process was started in it.</summary>
    public void Run(DispatcherProcess process) => Process = process;

    /// <summary>Its process exited and the next one is about to start.</summary>
    public void CountRestart() => Restarts++;
}
