using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The clients <c>Connect-SdClient</c> opened in this process and <c>Disconnect-SdClient</c> has not
/// closed yet, for <c>Get-SdClient</c>. Each keeps the log its connection writes to, so that
/// <c>Send-SdMessage</c> and <c>Receive-SdMessage</c> can show its trace as Verbose records.
/// </summary>
internal static class SdClientRegistry
{
    private static readonly ConcurrentDictionary<SdClient, Registration> s_clients = new(ReferenceEqualityComparer.Instance);

    /// <summary>The registered clients, oldest first.</summary>
    public static IReadOnlyList<SdClient> Clients => s_clients.Keys.OrderBy(c => c.ConnectedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToArray();

    /// <summary>Remembers a client with the logger factory and log it was connected with.</summary>
    public static void Add(SdClient client, ILoggerFactory loggerFactory, PipelineLog log)
        => s_clients[client] = new Registration(loggerFactory, log);

    /// <summary>The log of a registered client, or null.</summary>
    public static PipelineLog? LogOf(SdClient client) => s_clients.TryGetValue(client, out var registration) ? registration.Log : null;

    /// <summary>Forgets a client; returns its logger factory for the caller to dispose after closing it.</summary>
    public static ILoggerFactory? Remove(SdClient client) => s_clients.TryRemove(client, out var registration) ? registration.LoggerFactory : null;

    private sealed record Registration(ILoggerFactory LoggerFactory, PipelineLog Log);
}
