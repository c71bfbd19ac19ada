using System.Text.RegularExpressions;

namespace SocketDispatcher;

/// <summary>
/// One entry of an <see cref="SdMessageRouter"/>, as eventdispatcher's <c>dispatcher_match</c>: an exact
/// command or a regular expression, a priority, and whether the handler only observes the message
/// (eventdispatcher's <c>callback_match</c>: the router goes on to the next entry) or takes it.
/// </summary>
internal sealed record SdRoute(string? Command, Regex? Pattern, SdMessageHandler Handler, int Priority, long Order, bool Observes, IReadOnlyList<string> HelpCommands)
{
    /// <summary>Whether the entry matches <paramref name="command"/>; an entry with neither command nor pattern matches all.</summary>
    public bool Matches(string command)
        => Command is not null ? string.Equals(Command, command, StringComparison.Ordinal)
            : Pattern is null || Pattern.IsMatch(command);
}
