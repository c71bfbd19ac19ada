namespace SocketDispatcher.Handoff;

/// <summary>
/// Commands and parameters of the handoff conversation (design.md section 4), in the common message format:
/// dispatcher -> listener <c>HELLO pid=..;capacity=..</c>; listener -> dispatcher <c>CONFIG cert=..;key=..;client_ca=..;max_line=..</c>
/// (no <c>key</c> when the certificate file holds it);
/// listener -> dispatcher <c>CONNECTION id=..;peer=..;local=..;endpoint=..;family=inet|inet6|unix;tls=..</c> with the socket as SCM_RIGHTS
/// (<c>peer</c> is <c>pid=..,uid=..</c> from SO_PEERCRED for an AF_UNIX client, address:port otherwise);
/// dispatcher -> listener <c>ACCEPTED id=..</c>: for an AF_UNIX connection before any I/O on it, for a TCP one
/// once its conversation started (the listener checks a TCP connection with TCP_INFO before handing it again);
/// dispatcher -> listener <c>CLOSED id=..</c> when that connection's conversation has ended (the listener
/// counts open connections against the capacity and closes its own copy). Both name one connection or
/// several, comma-separated (<c>id=4,5,6</c>): the CONNECTION records received together, the
/// conversations that ended while they were handled;
/// listener -> dispatcher <c>ALIVE serial=..</c>, answered <c>ABSOLUTELY serial=..</c> (the watchdog);
/// listener -> dispatcher <c>EXIT drain=MS</c>, and again <c>EXIT drain=0</c> to cut a drain short;
/// dispatcher -> listener <c>QUIT reason=..</c> (a handler asked the service to stop).
/// listener -> dispatcher <c>LOG</c>: reopen your log file (the listener got <c>LOG</c>/<c>LOG_ROTATE</c> on a control endpoint).
/// </summary>
internal static class HandoffProtocol
{
    public const string Hello = "HELLO";
    public const string Config = "CONFIG";
    public const string Connection = "CONNECTION";
    public const string Accepted = "ACCEPTED";
    public const string Exit = "EXIT";
    public const string Quit = "QUIT";
    public const string Closed = "CLOSED";
    public const string Alive = "ALIVE";
    public const string Absolutely = "ABSOLUTELY";
    public const string Log = "LOG";

    /// <summary>
    /// The text of <c>CONNECTION endpoint=..;family=..;id=..;local=..;peer=..;tls=..</c>, written without an
    /// <see cref="SdMessage"/>: the listener writes one per accepted connection.
    /// </summary>
    public static string ConnectionRecord(string id, string endpoint, string family, string local, string peer, bool tls)
        => MessageWriter.Write(Connection, [
            new("endpoint", endpoint),
            new("family", family),
            new("id", id),
            new("local", local),
            new("peer", peer),
            new("tls", tls ? "true" : "false"),
        ]);

    /// <summary><paramref name="command"/> (ACCEPTED or CLOSED) for one or several connections: <c>id=4</c>, <c>id=4,5,6</c>.</summary>
    public static SdMessage ForConnections(string command, IReadOnlyList<string> ids)
        => new(command, [new("id", ids.Count == 1 ? ids[0] : string.Join(',', ids))]);

    /// <summary>The connection ids an ACCEPTED or CLOSED record names; none when it has no <c>id</c>.</summary>
    public static string[] ConnectionIds(SdMessage message)
        => message.GetParameter("id")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
