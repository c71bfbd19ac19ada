using System.Globalization;
using SocketDispatcher.Connections;

namespace SocketDispatcher;

/// <summary>
/// Routes each message of a conversation to the handler of its command, as eventdispatcher's
/// <c>dispatcher</c> does, and answers the built-in commands every message endpoint answers
/// (design.md section 5): <c>HELP</c> -> <c>COMMANDS list=...</c> (sorted), <c>ALIVE</c> ->
/// <c>ABSOLUTELY</c> (echoing <c>serial</c> and <c>timestamp</c>, adding <c>reply_timestamp</c>),
/// an unknown command -> <c>UNKNOWN command=X</c>, a line that is not a message ->
/// <c>INVALID command=...;message=...</c>; the conversation goes on after each of them.
/// </summary>
public sealed class SdMessageRouter
{
    private readonly Dictionary<string, SdMessageHandler> _routes = new(StringComparer.Ordinal);
    private Func<ISdSession, CancellationToken, ValueTask>? _onConnected;
    private SdMessageHandler? _fallback;

    /// <summary>The commands answered, built-ins included, sorted (ordinal).</summary>
    public IReadOnlyList<string> Commands
        => _routes.Keys.Concat(["ALIVE", "HELP"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Routes <paramref name="command"/> to <paramref name="handler"/>; a later call for the same command replaces it.</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter Map(string command, SdMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(handler);
        _routes[command] = handler;
        return this;
    }

    /// <summary>Routes every command that has no route of its own (built-ins excepted) to <paramref name="handler"/>, instead of answering <c>UNKNOWN</c>.</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter MapFallback(SdMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _fallback = handler;
        return this;
    }

    /// <summary>Runs <paramref name="handler"/> when a conversation starts, before any message (seed 001's server sends <c>HI</c> there).</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter OnConnected(Func<ISdSession, CancellationToken, ValueTask> handler)
    {
        _onConnected = handler;
        return this;
    }

    internal ValueTask ConnectedAsync(ISdSession session, CancellationToken cancellationToken)
        => _onConnected?.Invoke(session, cancellationToken) ?? ValueTask.CompletedTask;

    internal ValueTask RouteAsync(ISdSession session, LineResult line, CancellationToken cancellationToken)
    {
        if (line.Message is not { } message) return session.SendAsync(Invalid(line), cancellationToken);
        if (_routes.TryGetValue(message.Command, out var handler)) return handler(session, message, cancellationToken);
        return message.Command switch
        {
            "HELP" => session.SendAsync(message.Reply("COMMANDS", [new("list", string.Join(',', Commands))]), cancellationToken),
            "ALIVE" => session.SendAsync(Absolutely(message), cancellationToken),
            _ when _fallback is not null => _fallback(session, message, cancellationToken),
            _ => session.SendAsync(message.Reply("UNKNOWN", [new("command", message.Command)]), cancellationToken),
        };
    }

    /// <summary>The <c>INVALID</c> answer to a line that is not a message.</summary>
    internal static SdMessage Invalid(LineResult line)
    {
        var first = line.Text.AsSpan().Trim();
        var space = first.IndexOfAny(' ', '\t');
        var command = (space < 0 ? first : first[..space]).ToString();
        return new SdMessage("INVALID", [new("command", command), new("message", line.Error?.Message ?? "not a message")]);
    }

    private static SdMessage Absolutely(SdMessage alive)
    {
        var parameters = new List<KeyValuePair<string, string>>(3);
        if (alive.GetParameter("serial") is { } serial) parameters.Add(new("serial", serial));
        if (alive.GetParameter("timestamp") is { } timestamp) parameters.Add(new("timestamp", timestamp));
        parameters.Add(new("reply_timestamp", UnixTimestamp(DateTimeOffset.UtcNow)));
        return alive.Reply("ABSOLUTELY", parameters);
    }

    /// <summary>Unix time as <c>seconds.nanoseconds</c>, eventdispatcher's timestamp form.</summary>
    internal static string UnixTimestamp(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanoseconds:D9}");
    }
}
