using System.Collections.Concurrent;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The listeners <c>Start-SdListener</c> runs in this process (in the foreground of some runspace, or
/// as a job) until they stop, for <c>Get-SdListener</c> and <c>Stop-SdListener</c>: these reach them
/// directly rather than through a control socket.
/// </summary>
internal static class SdListenerRegistry
{
    private static readonly ConcurrentDictionary<SdListener, Registration> s_listeners = new(ReferenceEqualityComparer.Instance);
    private static long s_order;

    /// <summary>The running listeners, oldest first.</summary>
    public static IReadOnlyList<SdListener> Listeners => s_listeners.OrderBy(l => l.Value.Order).Select(l => l.Key).ToArray();

    /// <summary>Remembers a listener until it stops; <paramref name="job"/> is its job when it runs as one.</summary>
    public static void Add(SdListener listener, SdServiceJob? job)
    {
        s_listeners[listener] = new Registration(job, Interlocked.Increment(ref s_order));
        _ = listener.Completion.ContinueWith(_ => s_listeners.TryRemove(listener, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The running listener of this process that <paramref name="info"/> describes, or null.</summary>
    public static SdListener? Find(SdListenerInfo info)
        => info.ProcessId == Environment.ProcessId ? Listeners.FirstOrDefault(l => string.Equals(l.Name, info.Name, StringComparison.Ordinal)) : null;

    /// <summary>Whether a control endpoint belongs to a listener of this process.</summary>
    public static bool Owns(SdEndpoint control) => Listeners.Any(l => l.ControlEndpoints.Contains(control));

    /// <summary>
    /// Stops a listener of this process: through its job when it has one (so the job ends Stopped),
    /// else directly. Completes when it has stopped.
    /// </summary>
    public static Task StopAsync(SdListener listener, bool drain, string reason)
        => s_listeners.TryGetValue(listener, out var registration) && registration.Job is { } job
            ? job.Stop(drain, reason)
            : listener.StopAsync(drain, reason);

    private sealed record Registration(SdServiceJob? Job, long Order);
}
