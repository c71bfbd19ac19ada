using System.Net.Sockets;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>CONNECTION endpoint=..;family=..;id=..;local=..;peer=..;tls=..</c>, listener -> dispatcher, with the
/// accepted socket attached (SCM_RIGHTS): one per handed connection (docs/handoff-protocol.md, "Records").
/// </summary>
/// <param name="Id">The listener's id of the connection, echoed in ACCEPTED and CLOSED.</param>
/// <param name="Endpoint">The endpoint that accepted it, as written in the listener's options (<c>tls://[::1]:4041</c>).</param>
/// <param name="Family">The socket's family: <see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/> or <see cref="AddressFamily.Unix"/>.</param>
/// <param name="Local">The socket's local address (address:port, or the AF_UNIX path).</param>
/// <param name="Peer">The client: address:port, or <c>pid=..,uid=..</c> from SO_PEERCRED for an AF_UNIX client.</param>
/// <param name="Tls">Whether the dispatcher terminates TLS on it (a <c>tls://</c> endpoint).</param>
internal readonly record struct ConnectionRecord(ConnectionId Id, string Endpoint, AddressFamily Family, string Local, string Peer, bool Tls)
{
    /// <summary>The record's command.</summary>
    public const string Command = "CONNECTION";

    private const string EndpointName = "endpoint";
    private const string FamilyName = "family";
    private const string LocalName = "local";
    private const string PeerName = "peer";
    private const string TlsName = "tls";
    private const string Inet = "inet";
    private const string Inet6 = "inet6";
    private const string Unix = "unix";

    /// <summary>The record's wire text (without the line's <c>\n</c>).</summary>
    public string Write() => WriteText(Id.Text, Endpoint, NameOf(Family), Local, Peer, Tls);

    /// <summary>
    /// The wire text from the fields as text, written without an <see cref="SdMessage"/> (no parameter
    /// dictionary): the listener writes one per accepted connection.
    /// </summary>
    internal static string WriteText(string id, string endpoint, string family, string local, string peer, bool tls)
        => MessageWriter.Write(Command, [
            new(EndpointName, endpoint),
            new(FamilyName, family),
            new(RecordFields.Id, id),
            new(LocalName, local),
            new(PeerName, peer),
            new(TlsName, tls ? "true" : "false"),
        ]);

    /// <summary>
    /// Reads a CONNECTION record: every parameter must be present, <c>id</c> a connection id, <c>family</c>
    /// one of <c>inet</c>, <c>inet6</c>, <c>unix</c> and <c>tls</c> <c>true</c> or <c>false</c>; the
    /// addresses are taken as they are (they only name the connection). Extra parameters are ignored.
    /// </summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out ConnectionRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetId(message, out var id, out error)
            || !RecordFields.TryGetText(message, FamilyName, out var familyText, out error)) return false;
        if (!TryParseFamily(familyText, out var family))
        {
            error = $"{Command} {id}: '{FamilyName}' is not {Inet}, {Inet6} or {Unix}: {RecordFields.Show(familyText)}";
            return false;
        }

        if (!RecordFields.TryGetText(message, EndpointName, out var endpoint, out error)
            || !RecordFields.TryGetText(message, LocalName, out var local, out error)
            || !RecordFields.TryGetText(message, PeerName, out var peer, out error)
            || !RecordFields.TryGetBoolean(message, TlsName, out var tls, out error)) return false;
        record = new ConnectionRecord(id, endpoint, family, local, peer, tls);
        return true;
    }

    /// <summary>The family as socket(2) names it, without the <c>AF_</c>: <c>inet</c>, <c>inet6</c> or <c>unix</c>.</summary>
    public static string NameOf(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => Inet,
        AddressFamily.InterNetworkV6 => Inet6,
        AddressFamily.Unix => Unix,
        _ => family.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads <c>inet</c>, <c>inet6</c> or <c>unix</c>.</summary>
    public static bool TryParseFamily(string text, out AddressFamily family)
    {
        family = text switch
        {
            Inet => AddressFamily.InterNetwork,
            Inet6 => AddressFamily.InterNetworkV6,
            Unix => AddressFamily.Unix,
            _ => AddressFamily.Unknown,
        };
        return family != AddressFamily.Unknown;
    }
}
