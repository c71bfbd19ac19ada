using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The connections <c>Connect-SdClient</c> and <c>New-SdSocketPair</c> opened in this process and <c>Disconnect-SdClient</c> has not
/// closed yet, for <c>Get-SdClient</c>. Each keeps the log its connection writes to, so that
/// <c>Send-SdMessage</c> and <c>Receive-SdMessage</c> can show its trace as Verbose records.
/// </summary>
internal static class SdClientRegistry
{
    private static long s_order;

    private static readonly ConcurrentDictionary<SdConnection, Registration> s_clients = new(ReferenceEqualityComparer.Instance);

    /// <summary>The registered clients, oldest first.</summary>
    public static IReadOnlyList<SdConnection> Clients => s_clients.OrderBy(c => c.Value.Order).Select(c => c.Key).ToArray();

    /// <summary>Remembers a client with the logger factory and log it was connected with.</summary>
    public static void Add(SdConnection client, ILoggerFactory loggerFactory, PipelineLog log)
        => s_clients[client] = new Registration(loggerFactory, log, Interlocked.Increment(ref s_order));

    /// <summary>The log of a registered client, or null.</summary>
    public static PipelineLog? LogOf(SdConnection client) => s_clients.TryGetValue(client, out var registration) ? registration.Log : null;

    /// <summary>Forgets a client; returns its logger factory for the caller to dispose after closing it.</summary>
    /// <remarks>A factory shared by both ends of a socket pair is returned only with the last one.</remarks>
    public static ILoggerFactory? Remove(SdConnection client)
        => s_clients.TryRemove(client, out var registration) && !s_clients.Values.Any(r => ReferenceEquals(r.LoggerFactory, registration.LoggerFactory))
            ? registration.LoggerFactory
            : null;

    private sealed record Registration(ILoggerFactory LoggerFactory, PipelineLog Log, long Order);
}
