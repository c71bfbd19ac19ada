using System.Collections.Immutable;
using System.Diagnostics;

namespace SocketDispatcher;

/// <summary>
/// One message in eventdispatcher's line format:
/// <c>[&lt;sent_from_server:sent_from_service ][[server:]service/]COMMAND[ name=value[;name=value]*]</c>.
/// Immutable. <see cref="ToString"/> gives the wire text (without the trailing <c>\n</c>);
/// <see cref="Parse(string)"/> reads it back. See docs/architecture.md, "Message format", and the vectors in tests/Unit/Messages.
/// </summary>
public sealed partial class SdMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="command">The command, <c>[A-Z_][A-Z0-9_]*</c>.</param>
    /// <param name="parameters">
    /// Parameter names (<c>[A-Za-z_][A-Za-z0-9_]*</c>) and values (any well-formed UTF-16 text, a null
    /// value is read as empty); a later duplicate wins.
    /// </param>
    /// <param name="server">
    /// The destination server (<c>[A-Za-z_][A-Za-z0-9_]*</c>, or eventdispatcher's <c>.</c> for local only
    /// and <c>*</c> for every server), or null/empty for none. Only written on the line when a service is set.
    /// </param>
    /// <param name="service">
    /// The destination service (<c>[A-Za-z_][A-Za-z0-9_]*</c>, or eventdispatcher's <c>*</c>, <c>?</c>
    /// and <c>.</c>), or null/empty for none.
    /// </param>
    /// <param name="sentFromServer">The server the message comes from (<c>[A-Za-z_][A-Za-z0-9_]*</c>), or null/empty.</param>
    /// <param name="sentFromService">The service the message comes from (<c>[A-Za-z_][A-Za-z0-9_]*</c>), or null/empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A command, parameter name, server or service name is not valid, or a value holds a lone
    /// surrogate; the one-line message names the bad name. The rules are eventdispatcher's
    /// <c>verify_message_name()</c> and <c>set_server()</c>/<c>set_service()</c>.
    /// </exception>
    public SdMessage(
        string command,
        IEnumerable<KeyValuePair<string, string>>? parameters = null,
        string? server = null,
        string? service = null,
        string? sentFromServer = null,
        string? sentFromService = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        MessageGrammar.ValidateCommand(command);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (parameters is not null)
        {
            foreach (var (name, value) in parameters)
            {
                MessageGrammar.ValidateParameterName(name);
                var text = value ?? string.Empty;
                MessageGrammar.ValidateParameterValue(name, text);
                builder[name] = text;
            }
        }

        MessageGrammar.ValidateAddressPart(server, AddressPart.Server);
        MessageGrammar.ValidateAddressPart(service, AddressPart.Service);
        MessageGrammar.ValidateAddressPart(sentFromServer, AddressPart.SentFromServer);
        MessageGrammar.ValidateAddressPart(sentFromService, AddressPart.SentFromService);
        Command = command;
        Parameters = builder.ToImmutable();
        Server = NullIfEmpty(server);
        Service = NullIfEmpty(service);
        SentFromServer = NullIfEmpty(sentFromServer);
        SentFromService = NullIfEmpty(sentFromService);
    }

    // For the readers, which have already checked every part against the reading rules (which,
    // like eventdispatcher's parser, accept a lower case command that the public constructor refuses).
    private SdMessage(
        string command,
        ImmutableSortedDictionary<string, string> parameters,
        string? server,
        string? service,
        string? sentFromServer,
        string? sentFromService)
    {
        Debug.Assert(parameters.KeyComparer == StringComparer.Ordinal, "parameters must be sorted ordinally");
        Command = command;
        Parameters = parameters;
        Server = NullIfEmpty(server);
        Service = NullIfEmpty(service);
        SentFromServer = NullIfEmpty(sentFromServer);
        SentFromService = NullIfEmpty(sentFromService);
    }

    private SdMessage(SdMessage other, string? connection, string? peer, DateTimeOffset? receivedAt, ISdSession? session)
    {
        _session = session;
        Command = other.Command;
        Parameters = other.Parameters;
        Server = other.Server;
        Service = other.Service;
        SentFromServer = other.SentFromServer;
        SentFromService = other.SentFromService;
        Connection = connection;
        Peer = peer;
        ReceivedAt = receivedAt;
    }

    /// <summary>The command, such as <c>HELP</c>.</summary>
    public string Command { get; }

    /// <summary>The parameters, sorted by name (ordinal), as they are written.</summary>
    public ImmutableSortedDictionary<string, string> Parameters { get; }

    /// <summary>The destination server (<c>server:service/COMMAND</c>), or null.</summary>
    public string? Server { get; }

    /// <summary>The destination service (<c>service/COMMAND</c>), or null.</summary>
    public string? Service { get; }

    /// <summary>The server the message says it comes from (<c>&lt;server:service </c> prefix), or null.</summary>
    public string? SentFromServer { get; }

    /// <summary>The service the message says it comes from, or null.</summary>
    public string? SentFromService { get; }

    /// <summary>The id of the connection the message arrived on; null for a message built locally.</summary>
    public string? Connection { get; }

    /// <summary>The peer the message arrived from (an endpoint text); null for a message built locally.</summary>
    public string? Peer { get; }

    /// <summary>When the message arrived; null for a message built locally.</summary>
    public DateTimeOffset? ReceivedAt { get; }

    /// <summary>The value of a parameter, or null when the message has none of that name.</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    public string? GetParameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Whether the message has a parameter of that name (case-sensitive).</summary>
    public bool HasParameter(string name) => Parameters.ContainsKey(name);

    /// <summary>
    /// Builds a reply addressed to the sender, as eventdispatcher's <c>message::reply_to()</c> does:
    /// the reply's server and service are this message's sent-from server and service.
    /// </summary>
    /// <param name="command">The reply's command.</param>
    /// <param name="parameters">The reply's parameters, or null.</param>
    public SdMessage Reply(string command, IEnumerable<KeyValuePair<string, string>>? parameters = null)
        => new(command, parameters, SentFromServer, SentFromService);

    /// <summary>
    /// Sends <see cref="Reply(string, IEnumerable{KeyValuePair{string, string}}?)"/>'s message on the
    /// conversation this message arrived on (a dispatcher's connection), so that a script that got the
    /// message from the pipeline can answer it.
    /// </summary>
    /// <param name="command">The reply's command.</param>
    /// <param name="parameters">The reply's parameters, or null.</param>
    /// <param name="cancellationToken">Stops waiting for the send.</param>
    /// <exception cref="SdException">The message was not received by a message router (kind InvalidOperation, reason <c>MessageNotReceived</c>).</exception>
    /// <exception cref="IOException">The connection is closed or broke.</exception>
    public ValueTask ReplyAsync(string command, IEnumerable<KeyValuePair<string, string>>? parameters = null, CancellationToken cancellationToken = default)
    {
        var session = _session ?? throw new SdException(SdErrorKind.InvalidOperation, "MessageNotReceived", $"{Command} was not received on a dispatcher connection, so there is nobody to reply to; send it with a client instead");
        return session.SendAsync(Reply(command, parameters), cancellationToken);
    }

    /// <summary>The same message with the arrival details of a connection, and the conversation to reply on.</summary>
    internal SdMessage WithArrival(string connection, string? peer, DateTimeOffset receivedAt, ISdSession? session = null)
        => new(this, connection, peer, receivedAt, session);

    /// <summary>The conversation the message arrived on, when a router received it; null otherwise.</summary>
    internal ISdSession? Session => _session;

    /// <summary>An empty parameter set with the ordinal comparer, shared by every message without parameters.</summary>
    internal static ImmutableSortedDictionary<string, string> NoParameters { get; } =
        ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Builds a message from parts a reader has already validated; nothing is checked again.</summary>
    internal static SdMessage FromValidatedParts(
        string command,
        ImmutableSortedDictionary<string, string> parameters,
        string? server,
        string? service,
        string? sentFromServer,
        string? sentFromService)
        => new(command, parameters, server, service, sentFromServer, sentFromService);

    private readonly ISdSession? _session;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
