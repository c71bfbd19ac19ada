using System.Text;

namespace SocketDispatcher.Fuzz;

/// <summary>
/// What must hold for any input: the parsers either read a message or refuse the input with a
/// <see cref="SdMessageFormatException"/>, and every message they read is written back to text and
/// JSON that read back to the same message (nothing is lost: docs/architecture.md, "Message format").
/// </summary>
internal static class MessageProperties
{
    public static void Check(byte[] input)
    {
        CheckLine(Encoding.UTF8.GetString(input));
        if (SdMessage.TryParseDatagram(input, out var datagram, out _)) CheckRoundTrip(datagram!);
        CheckJson(Encoding.UTF8.GetString(input));
    }

    private static void CheckLine(string line)
    {
        if (SdMessage.TryParse(line, out var message, out _)) CheckRoundTrip(message!);
    }

    private static void CheckJson(string json)
    {
        SdMessage message;
        try
        {
            message = SdMessage.FromJson(json);
        }
        catch (SdMessageFormatException)
        {
            return;
        }

        CheckRoundTrip(message);
    }

    private static void CheckRoundTrip(SdMessage message)
    {
        var text = message.ToString();
        if (text.Contains('\n', StringComparison.Ordinal)) throw new InvalidOperationException($"the wire text holds a newline: {text}");
        Same(message, SdMessage.Parse(text), "wire text");
        Same(message, SdMessage.FromJson(message.ToJson()), "JSON");
    }

    private static void Same(SdMessage expected, SdMessage actual, string form)
    {
        // A server without a service is not written on the line (eventdispatcher's rule).
        var server = expected.Service is null && form == "wire text" ? null : expected.Server;
        if (expected.Command != actual.Command
            || server != actual.Server
            || expected.Service != actual.Service
            || expected.SentFromServer != actual.SentFromServer
            || expected.SentFromService != actual.SentFromService
            || !expected.Parameters.SequenceEqual(actual.Parameters))
        {
            throw new InvalidOperationException($"the {form} round trip changed the message: '{expected}' came back as '{actual}'");
        }
    }
}
