using System.Globalization;
using System.Text.RegularExpressions;
using SocketDispatcher.Connections;

namespace SocketDispatcher;

/// <summary>
/// Routes each message of a conversation, as eventdispatcher's <c>dispatcher</c> does
/// (m2osw/eventdispatcher, eventdispatcher/dispatcher.cpp), and answers the built-in commands every
/// message endpoint answers (docs/architecture.md, "Message format").
/// </summary>
/// <remarks>
/// <para>
/// Routes are exact commands (<see cref="Map(string, SdMessageHandler, int)"/>), regular expressions
/// matched against the whole command (<see cref="Map(Regex, SdMessageHandler, int, IEnumerable{string}?)"/>)
/// and observers (<see cref="Observe(string, SdMessageHandler, int)"/>, eventdispatcher's callback
/// match: the handler sees the message and routing goes on). They run in priority order, lower
/// first (<see cref="DefaultPriority"/> is 100), then in the order they were added; the first
/// non-observer route that matches takes the message. The catch-all
/// (<see cref="MapFallback(SdMessageHandler)"/>) takes what no route took.
/// </para>
/// <para>
/// Built-ins, routes of the default priority added before any other (so an exact route of the same
/// command replaces them): <c>HELP</c> -> <c>COMMANDS list=...</c> built from the exact routes, the
/// commands regex routes declare and the built-ins, sorted (ordinal); <c>ALIVE</c> ->
/// <c>ABSOLUTELY</c> echoing <c>serial</c> and <c>timestamp</c> and adding <c>reply_timestamp</c>
/// (Unix time, <c>seconds.nanoseconds</c>). A command nothing takes -> <c>UNKNOWN command=X</c>; a
/// line that is not a message, or a message that breaks its definition (<see cref="Definitions"/>)
/// -> <c>INVALID command=...;message=...</c>. A received <c>UNKNOWN</c> or <c>INVALID</c> that no
/// route takes is not answered, so that two endpoints never answer each other's answers forever.
/// A handler that throws an <see cref="SdException"/> of kind <see cref="SdErrorKind.InvalidArgument"/>
/// (such as a bad parameter from <see cref="SdMessage.GetInt64(string)"/>) is answered <c>INVALID</c>
/// with its message; the conversation goes on after each of these answers.
/// </para>
/// <para>
/// Service hooks (eventdispatcher's <c>add_communicator_commands()</c>): <see cref="OnStop"/> takes
/// <c>STOP</c> and <c>QUIT</c>, <see cref="OnLogRotate"/> takes <c>LOG</c> and <c>LOG_ROTATE</c>,
/// <see cref="OnReady"/> <c>READY</c> and <see cref="OnRestart"/> <c>RESTART</c>; a hook is an exact
/// route, listed by <c>HELP</c> once it is set.
/// </para>
/// <para>Configure a router before the first conversation starts; routing itself is thread-safe.</para>
/// </remarks>
public sealed class SdMessageRouter
{
    /// <summary>The priority of a route added without one, and of the built-ins: 100.</summary>
    public const int DefaultPriority = 100;

    private static readonly string[] BuiltIns = ["ALIVE", "HELP"];

    private readonly List<SdRoute> _routes = [];
    private SdRoute[] _ordered = [];
    private long _nextOrder;
    private Func<ISdSession, CancellationToken, ValueTask>? _onConnected;
    private SdMessageHandler? _fallback;

    /// <summary>Creates a router that answers the built-ins only.</summary>
    public SdMessageRouter()
    {
        Add(new SdRoute("HELP", null, Help, DefaultPriority, -2, false, []));
        Add(new SdRoute("ALIVE", null, (session, message, ct) => session.SendAsync(Absolutely(message), ct), DefaultPriority, -1, false, []));
    }

    /// <summary>The commands <c>HELP</c> lists: exact routes, the built-ins and the commands regex routes declare, sorted (ordinal).</summary>
    public IReadOnlyList<string> Commands
        => _routes.Where(r => !r.Observes)
            .SelectMany(r => r.Command is { } command ? [command] : r.HelpCommands)
            .Concat(BuiltIns)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// The parameter rules messages are checked against before any route sees them (observers
    /// included); a message that breaks one is answered <c>INVALID</c> naming the rule and the file.
    /// Default: <see cref="SdMessageDefinitions.BuiltIn"/>; null checks nothing.
    /// </summary>
    public SdMessageDefinitions? Definitions { get; set; } = SdMessageDefinitions.BuiltIn;

    /// <summary>Routes <paramref name="command"/> to <paramref name="handler"/>; a later call for the same command replaces the earlier route (a built-in too).</summary>
    /// <param name="command">The exact command, case-sensitive.</param>
    /// <param name="handler">Takes the message.</param>
    /// <param name="priority">Lower runs first. Default: <see cref="DefaultPriority"/>.</param>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter Map(string command, SdMessageHandler handler, int priority = DefaultPriority)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(handler);
        _routes.RemoveAll(r => !r.Observes && r.Command == command);
        return Add(new SdRoute(command, null, handler, priority, _nextOrder++, false, []));
    }

    /// <summary>Routes every command that <paramref name="pattern"/> matches to <paramref name="handler"/>.</summary>
    /// <param name="pattern">Matched against the whole command: <c>^</c> and <c>$</c> are implied when missing.</param>
    /// <param name="handler">Takes the message.</param>
    /// <param name="priority">Lower runs first. Default: <see cref="DefaultPriority"/>.</param>
    /// <param name="helpCommands">Commands this route answers that <c>HELP</c> should list (a pattern cannot list itself). Default: none.</param>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter Map(Regex pattern, SdMessageHandler handler, int priority = DefaultPriority, IEnumerable<string>? helpCommands = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new SdRoute(null, Anchored(pattern), handler, priority, _nextOrder++, false, helpCommands?.ToArray() ?? []));
    }

    /// <summary>
    /// Lets <paramref name="handler"/> see every message whose command is <paramref name="command"/>
    /// without taking it: routing goes on to the next route, as eventdispatcher's
    /// <c>callback_match</c> does. Several observers may see one message.
    /// </summary>
    /// <param name="command">The exact command.</param>
    /// <param name="handler">Sees the message.</param>
    /// <param name="priority">Lower runs first. Default: <see cref="DefaultPriority"/>.</param>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter Observe(string command, SdMessageHandler handler, int priority = DefaultPriority)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new SdRoute(command, null, handler, priority, _nextOrder++, true, []));
    }

    /// <summary>Lets <paramref name="handler"/> see every message without taking it (a trace, a counter).</summary>
    /// <param name="handler">Sees the message.</param>
    /// <param name="priority">Lower runs first. Default: <see cref="DefaultPriority"/>.</param>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter ObserveAll(SdMessageHandler handler, int priority = DefaultPriority)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new SdRoute(null, null, handler, priority, _nextOrder++, true, []));
    }

    /// <summary>Lets <paramref name="handler"/> see every message whose command <paramref name="pattern"/> matches, without taking it.</summary>
    /// <param name="pattern">Matched against the whole command.</param>
    /// <param name="handler">Sees the message.</param>
    /// <param name="priority">Lower runs first. Default: <see cref="DefaultPriority"/>.</param>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter Observe(Regex pattern, SdMessageHandler handler, int priority = DefaultPriority)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new SdRoute(null, Anchored(pattern), handler, priority, _nextOrder++, true, []));
    }

    /// <summary>Routes every command that no route takes (the built-ins are routes) to <paramref name="handler"/>, instead of answering <c>UNKNOWN</c>.</summary>
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

    /// <summary>The <c>STOP</c> and <c>QUIT</c> hook (eventdispatcher's <c>msg_stop()</c>/<c>msg_quit()</c>); the handler tells them apart by <see cref="SdMessage.Command"/>.</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter OnStop(SdMessageHandler handler) => Map("STOP", handler).Map("QUIT", handler);

    /// <summary>The <c>LOG</c> and <c>LOG_ROTATE</c> hook: reopen the log file (eventdispatcher's <c>msg_log_rotate()</c>).</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter OnLogRotate(SdMessageHandler handler) => Map("LOG", handler).Map("LOG_ROTATE", handler);

    /// <summary>The <c>READY</c> hook (eventdispatcher's <c>msg_ready()</c>: the peer is registered and ready).</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter OnReady(SdMessageHandler handler) => Map("READY", handler);

    /// <summary>The <c>RESTART</c> hook (eventdispatcher's <c>msg_restart()</c>).</summary>
    /// <returns>This router, to chain calls.</returns>
    public SdMessageRouter OnRestart(SdMessageHandler handler) => Map("RESTART", handler);

    /// <summary>
    /// Routes one message that arrived on <paramref name="session"/>: a datagram, or a line already
    /// read. Handlers get the message with its <see cref="SdMessage.Connection"/>, <see cref="SdMessage.Peer"/>
    /// and <see cref="SdMessage.ReceivedAt"/> set, so that <see cref="SdMessage.ReplyAsync"/> answers on this session.
    /// </summary>
    /// <param name="session">Where answers go.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Passed to the handlers.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public async ValueTask DispatchAsync(ISdSession session, SdMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Session is null) message = message.WithArrival(session.Id, session.Peer, DateTimeOffset.UtcNow, session);
        if (Definitions?.Check(message) is { } violation)
        {
            await session.SendAsync(InvalidMessage(message.Command, violation), cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            foreach (var route in Volatile.Read(ref _ordered))
            {
                if (!route.Matches(message.Command)) continue;
                await route.Handler(session, message, cancellationToken).ConfigureAwait(false);
                if (!route.Observes) return;
            }

            if (_fallback is not null)
            {
                await _fallback(session, message, cancellationToken).ConfigureAwait(false);
            }
            else if (message.Command is not ("UNKNOWN" or "INVALID"))
            {
                await session.SendAsync(message.Reply("UNKNOWN", [new("command", message.Command)]), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SdException ex) when (ex.Kind == SdErrorKind.InvalidArgument)
        {
            await session.SendAsync(InvalidMessage(message.Command, ex.Message), cancellationToken).ConfigureAwait(false);
        }
    }

    internal ValueTask ConnectedAsync(ISdSession session, CancellationToken cancellationToken)
        => _onConnected?.Invoke(session, cancellationToken) ?? ValueTask.CompletedTask;

    internal ValueTask RouteAsync(ISdSession session, LineResult line, CancellationToken cancellationToken)
        => line.Message is { } message ? DispatchAsync(session, message, cancellationToken) : session.SendAsync(Invalid(line), cancellationToken);

    /// <summary>The <c>INVALID</c> answer to a line that is not a message.</summary>
    internal static SdMessage Invalid(LineResult line)
    {
        var first = line.Text.AsSpan().Trim();
        var space = first.IndexOfAny(' ', '\t');
        var command = (space < 0 ? first : first[..space]).ToString();
        return InvalidMessage(command, line.Error?.Message ?? "not a message");
    }

    /// <summary>Unix time as <c>seconds.nanoseconds</c>, eventdispatcher's timestamp form.</summary>
    internal static string UnixTimestamp(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanoseconds:D9}");
    }

    private static SdMessage InvalidMessage(string command, string reason)
        => new("INVALID", [new("command", command), new("message", reason)]);

    private static Regex Anchored(Regex pattern)
    {
        var text = pattern.ToString();
        if (text.StartsWith('^') && text.EndsWith('$')) return pattern;
        return new Regex($"^(?:{text})$", pattern.Options, pattern.MatchTimeout);
    }

    private static SdMessage Absolutely(SdMessage alive)
    {
        var parameters = new List<KeyValuePair<string, string>>(3);
        if (alive.GetParameter("serial") is { } serial) parameters.Add(new("serial", serial));
        if (alive.GetParameter("timestamp") is { } timestamp) parameters.Add(new("timestamp", timestamp));
        parameters.Add(new("reply_timestamp", UnixTimestamp(DateTimeOffset.UtcNow)));
        return alive.Reply("ABSOLUTELY", parameters);
    }

    private ValueTask Help(ISdSession session, SdMessage message, CancellationToken cancellationToken)
        => session.SendAsync(message.Reply("COMMANDS", [new("list", string.Join(',', Commands))]), cancellationToken);

    private SdMessageRouter Add(SdRoute route)
    {
        _routes.Add(route);
        Volatile.Write(ref _ordered, _routes.OrderBy(r => r.Priority).ThenBy(r => r.Order).ToArray());
        return this;
    }
}
