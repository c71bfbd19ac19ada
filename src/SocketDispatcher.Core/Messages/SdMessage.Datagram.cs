using System.Diagnostics.CodeAnalysis;

namespace SocketDispatcher;

public sealed partial class SdMessage
{
    /// <summary>
    /// Reads the one message a datagram carries (UDP, <c>unixgram:</c>; docs/architecture.md, "Message format"):
    /// the payload is UTF-8, with or without a trailing <c>\n</c> (and telnet <c>\r</c>), as
    /// eventdispatcher's UDP senders write it either way.
    /// </summary>
    /// <param name="payload">The datagram's bytes, as received (at most a datagram's size).</param>
    /// <exception cref="SdMessageFormatException">
    /// The payload is not UTF-8, holds more than one line (a datagram carries one message), or is
    /// not a valid message; the exception names the position and the reason.
    /// </exception>
    public static SdMessage ParseDatagram(ReadOnlySpan<byte> payload)
        => TryParseDatagram(payload, out var message, out var error) ? message : throw error;

    /// <summary>
    /// Reads the one message a datagram carries, without throwing; see <see cref="ParseDatagram(ReadOnlySpan{byte})"/>.
    /// This is the core: a datagram service reads every payload a peer sends with it, and the error is built, never thrown.
    /// </summary>
    /// <param name="payload">The datagram's bytes.</param>
    /// <param name="message">The message, when the payload is valid.</param>
    /// <param name="error">Why the payload is not valid, otherwise.</param>
    /// <returns>Whether the payload is a valid message.</returns>
    public static bool TryParseDatagram(
        ReadOnlySpan<byte> payload,
        [NotNullWhen(true)] out SdMessage? message,
        [NotNullWhen(false)] out SdMessageFormatException? error)
    {
        message = null;
        if (payload.Length > 0 && payload[^1] == (byte)'\n') payload = payload[..^1];
        var newline = payload.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            error = new SdMessageFormatException(newline, "a datagram carries one message: a newline may only end it");
            return false;
        }

        if (!Utf8Text.TryDecode(payload, out var text, out var invalidAt))
        {
            error = new SdMessageFormatException(invalidAt, "the datagram is not valid UTF-8");
            return false;
        }

        return MessageParser.TryParse(text, out message, out error);
    }
}
