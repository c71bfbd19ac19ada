using System.Diagnostics.CodeAnalysis;

namespace SocketDispatcher;

public sealed partial class SdMessage
{
    /// <summary>The message in wire form, without the trailing <c>\n</c> (vectors in tests/Unit/Messages/MessageWritingTests.cs).</summary>
    /// <remarks>
    /// eventdispatcher's bytes for every value it can carry; a value that starts or ends with white
    /// space is also quoted so it survives the reader's trim. A server without a service is not written.
    /// </remarks>
    public override string ToString() => MessageWriter.Write(this);

    /// <summary>Reads one message from a line (vectors in tests/Unit/Messages/MessageReadingTests.cs); surrounding white space and a CR are ignored.</summary>
    /// <remarks>
    /// As lenient as eventdispatcher's <c>message::from_string()</c> where it is safe: a lower case
    /// command, a trailing <c>;</c>, a server without a service, a later duplicate replacing an
    /// earlier one. Values unescape <c>\\</c>, <c>\n</c>, <c>\r</c> and, inside quotes, <c>\"</c>; any
    /// other backslash is kept with the character after it, as eventdispatcher keeps it.
    /// </remarks>
    /// <param name="line">The line, with or without its <c>\n</c>.</param>
    /// <exception cref="SdMessageFormatException">The line is not a valid message; the exception names the position and the reason.</exception>
    public static SdMessage Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return MessageParser.Parse(line);
    }

    /// <summary>
    /// Reads one message from a line without throwing: the way to read what a peer sends, where a bad
    /// line is expected and answered. The error is built, never thrown.
    /// </summary>
    /// <param name="line">The line, with or without its <c>\n</c>.</param>
    /// <param name="message">The message, when the line is valid.</param>
    /// <param name="error">Why the line is not valid, otherwise: the same position and reason <see cref="Parse(string)"/> would throw.</param>
    /// <returns>Whether the line is a valid message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="line"/> is null.</exception>
    public static bool TryParse(
        string line,
        [NotNullWhen(true)] out SdMessage? message,
        [NotNullWhen(false)] out SdMessageFormatException? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        return MessageParser.TryParse(line, out message, out error);
    }
}
