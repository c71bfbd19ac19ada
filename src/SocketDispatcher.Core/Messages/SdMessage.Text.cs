namespace SocketDispatcher;

public sealed partial class SdMessage
{
    /// <summary>The message in wire form, without the trailing <c>\n</c> (protocol-vectors.md, "Writing").</summary>
    public override string ToString() => MessageWriter.Write(this);

    /// <summary>Reads one message from a line (protocol-vectors.md, "Reading"); surrounding white space and a CR are ignored.</summary>
    /// <param name="line">The line, with or without its <c>\n</c>.</param>
    /// <exception cref="MessageFormatException">The line is not a valid message; the exception names the position and the reason.</exception>
    public static SdMessage Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return MessageParser.Parse(line);
    }

    /// <summary>Reads one message from a line without throwing.</summary>
    /// <param name="line">The line.</param>
    /// <param name="message">The message, when the line is valid.</param>
    /// <param name="error">Why the line is not valid, otherwise.</param>
    /// <returns>Whether the line is a valid message.</returns>
    public static bool TryParse(string line, out SdMessage? message, out MessageFormatException? error)
    {
        try
        {
            message = Parse(line);
            error = null;
            return true;
        }
        catch (MessageFormatException ex)
        {
            message = null;
            error = ex;
            return false;
        }
    }
}
