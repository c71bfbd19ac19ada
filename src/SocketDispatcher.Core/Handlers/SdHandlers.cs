namespace SocketDispatcher;

/// <summary>
/// The built-in handlers a dispatcher can run by name (<c>sd dispatch --handler</c>, <c>Start-SdDispatcher -Handler</c>):
/// <c>conversation</c> answers as seed 001's server (<c>HI</c> on connect; <c>DAD</c> -> <c>CLIMB</c>,
/// <c>TOP</c> -> <c>WHO</c>, <c>MOM</c> -> <c>BYE</c>; <c>QUIT</c> from a local peer stops the service);
/// <c>echo</c> sends every message back; <c>greet</c> writes <c>HI</c> and closes the connection.
/// </summary>
public static class SdHandlers
{
    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["conversation", "echo", "greet"];

    /// <summary>Builds the router of a built-in handler.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <exception cref="SdException">Unknown name (kind InvalidArgument, reason <c>HandlerUnknown</c>).</exception>
    public static SdMessageRouter Create(string name) => name switch
    {
        "conversation" => Conversation(),
        "echo" => Echo(),
        "greet" => Greet(),
        _ => throw new SdException(SdErrorKind.InvalidArgument, "HandlerUnknown", $"unknown handler '{name}'; use one of: {string.Join(", ", Names)}"),
    };

    private static SdMessageRouter Conversation() => new SdMessageRouter()
        .OnConnected((session, ct) => session.SendAsync(new SdMessage("HI"), ct))
        .Map("DAD", (session, message, ct) => session.SendAsync(message.Reply("CLIMB"), ct))
        .Map("TOP", (session, message, ct) => session.SendAsync(message.Reply("WHO"), ct))
        .Map("MOM", (session, message, ct) => session.SendAsync(message.Reply("BYE"), ct))
        .Map("QUIT", Quit);

    private static SdMessageRouter Echo() => new SdMessageRouter()
        .MapFallback((session, message, ct) => session.SendAsync(message, ct));

    private static SdMessageRouter Greet() => new SdMessageRouter()
        .OnConnected(async (session, ct) =>
        {
            await session.SendAsync(new SdMessage("HI"), ct).ConfigureAwait(false);
            session.Close("greeted");
        });

    private static ValueTask Quit(ISdSession session, SdMessage message, CancellationToken cancellationToken)
    {
        if (!session.IsLocalPeer)
        {
            return session.SendAsync(message.Reply("INVALID", [new("command", "QUIT"), new("message", "QUIT is only taken from a local peer")]), cancellationToken);
        }

        session.RequestServiceStop($"QUIT from {session.Peer}");
        return ValueTask.CompletedTask;
    }
}
