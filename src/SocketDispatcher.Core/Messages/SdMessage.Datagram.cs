using System.Text;

namespace SocketDispatcher;

public sealed partial class SdMessage
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

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
    {
        if (payload.Length > 0 && payload[^1] == (byte)'\n') payload = payload[..^1];
        var newline = payload.IndexOf((byte)'\n');
        if (newline >= 0) throw new SdMessageFormatException(newline, "a datagram carries one message: a newline may only end it");
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException ex)
        {
            throw new SdMessageFormatException(ex.Index < 0 ? 0 : ex.Index, "the datagram is not valid UTF-8");
        }

        return MessageParser.Parse(text);
    }

    /// <summary>Reads the one message a datagram carries, without throwing; see <see cref="ParseDatagram(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="payload">The datagram's bytes.</param>
    /// <param name="message">The message, when the payload is valid.</param>
    /// <param name="error">Why the payload is not valid, otherwise.</param>
    /// <returns>Whether the payload is a valid message.</returns>
    public static bool TryParseDatagram(ReadOnlySpan<byte> payload, out SdMessage? message, out SdMessageFormatException? error)
    {
        try
        {
            message = ParseDatagram(payload);
            error = null;
            return true;
        }
        catch (SdMessageFormatException ex)
        {
            message = null;
            error = ex;
            return false;
        }
    }
}
