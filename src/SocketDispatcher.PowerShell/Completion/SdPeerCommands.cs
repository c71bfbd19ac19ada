using System.Collections.Concurrent;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// The commands peers listed in their answer to <c>HELP</c> (<c>COMMANDS list=A,B,...</c>), by
/// connection id and by endpoint, as Receive-SdMessage and Send-SdMessage -Reply saw them: what
/// <see cref="SdCommandCompleter"/> offers for <c>-Command</c>.
/// </summary>
internal static class SdPeerCommands
{
    /// <summary>What every message endpoint answers, and the control commands (docs/architecture.md, "Message format").</summary>
    public static readonly IReadOnlyList<string> BuiltIn = ["ALIVE", "HELP", "LOG", "LOG_ROTATE", "QUIT", "STATUS", "STOP"];

    private static readonly ConcurrentDictionary<string, string[]> s_byPeer = new(StringComparer.Ordinal);

    /// <summary>Remembers the list of a <c>COMMANDS</c> message, under each of <paramref name="keys"/>.</summary>
    public static void Note(SdMessage message, params string?[] keys)
    {
        if (!string.Equals(message.Command, "COMMANDS", StringComparison.Ordinal) || message.GetParameter("list") is not { } list) return;
        var commands = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var key in keys)
        {
            if (key is not null) s_byPeer[key] = commands;
        }
    }

    /// <summary>The commands the peer behind <paramref name="key"/> listed; every peer's when <paramref name="key"/> is null.</summary>
    public static IEnumerable<string> Of(string? key)
        => key is null ? s_byPeer.Values.SelectMany(c => c) : s_byPeer.TryGetValue(key, out var commands) ? commands : [];
}
