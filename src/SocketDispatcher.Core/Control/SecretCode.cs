using System.Security.Cryptography;
using System.Text;

namespace SocketDispatcher.Control;

/// <summary>
/// The shared secret of UDP and TCP control endpoints, carried as the <c>secret_code</c> parameter
/// as eventdispatcher's <c>ed-signal --secret-code</c> does. Compared in constant time.
/// </summary>
internal static class SecretCode
{
    public const string ParameterName = "secret_code";

    public static bool Matches(SdMessage? message, string secret)
    {
        if (message?.GetParameter(ParameterName) is not { } given) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(secret));
    }
}
