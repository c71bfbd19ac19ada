using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDispatcher.Connections;
using SocketDispatcher.Logging;

namespace SocketDispatcher.Control;

/// <summary>
/// The shared secret of UDP and TCP control endpoints, carried as the <c>secret_code</c> parameter
/// as eventdispatcher's <c>ed-signal --secret-code</c> does. Compared in constant time.
/// </summary>
internal static class SecretCode
{
    public const string ParameterName = "secret_code";

    private const string Hidden = "***";

    /// <summary>The line with the value of its <c>secret_code</c> replaced by <c>***</c>, for logs.</summary>
    public static string Redact(string line)
    {
        var at = line.IndexOf(ParameterName + "=", StringComparison.Ordinal);
        if (at < 0) return line;
        if (SdMessage.TryParse(line, out var message, out _) && message!.HasParameter(ParameterName))
        {
            return new SdMessage(message.Command, message.Parameters.SetItem(ParameterName, Hidden), message.Server, message.Service, message.SentFromServer, message.SentFromService).ToString();
        }

        // Not a message: hide everything after the name rather than guess where the value ends.
        return line[..(at + ParameterName.Length + 1)] + Hidden;
    }

    public static bool Matches(SdMessage? message, string secret)
    {
        if (message?.GetParameter(ParameterName) is not { } given) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>
    /// Whether <paramref name="line"/> may be handled: always when no secret is required, else only
    /// with the right <c>secret_code</c>. A refused line is logged (SecretMismatch) and gets no answer,
    /// so a stranger learns nothing, not even that a service is there.
    /// </summary>
    public static bool Admits(string? secret, LineResult line, string endpoint, string? peer, ILogger logger)
    {
        if (secret is null || Matches(line.Message, secret)) return true;
        ControlLog.SecretMismatch(logger, endpoint, peer ?? "unknown", line.Message?.Command ?? "(not a message)");
        return false;
    }
}
