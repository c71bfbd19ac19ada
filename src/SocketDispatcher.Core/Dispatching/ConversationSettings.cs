using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Dispatching;

/// <summary>What every conversation of one dispatcher shares.</summary>
/// <param name="Router">The handler's routes.</param>
/// <param name="Tls">The server side of TLS, from the listener's CONFIG; null until then, or without TLS.</param>
/// <param name="MaxLineBytes">The longest line a peer may send, in bytes (CONFIG <c>max_line</c>).</param>
/// <param name="Trace">Whether every message in and out is logged.</param>
/// <param name="HandshakeTimeout">How long a TLS handshake may take.</param>
/// <param name="Logger">Where the conversations log.</param>
/// <param name="RequestServiceStop">Asks the listener to stop the service (a local QUIT).</param>
/// <param name="Poller">Drives plain connections without a .NET Socket when the handler never blocks; null to use Sockets.</param>
internal sealed record ConversationSettings(
    SdMessageRouter Router,
    SslServerAuthenticationOptions? Tls,
    int MaxLineBytes,
    bool Trace,
    TimeSpan HandshakeTimeout,
    ILogger Logger,
    Action<string> RequestServiceStop,
    SocketPoller? Poller);
