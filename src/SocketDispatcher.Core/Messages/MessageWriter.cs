using System.Buffers;
using System.Diagnostics;

namespace SocketDispatcher;

/// <summary>
/// Writes an <see cref="SdMessage"/> as one line of eventdispatcher's message format, without the
/// trailing <c>\n</c> (docs/architecture.md, "Message format"; the vectors are in tests/Unit/Messages/MessageWritingTests.cs).
/// </summary>
/// <remarks>
/// <para>
/// Same bytes as eventdispatcher's <c>message::to_string()</c> (m2osw/eventdispatcher,
/// eventdispatcher/message.cpp) for every value it writes without loss: <c>&lt;from_server:from_service </c>
/// when either is set, <c>[server:]service/</c> when a service is set, the command, then the
/// parameters in ordinal order. Values escape <c>\</c>, LF and CR; a value containing <c>;</c> or
/// starting with <c>"</c> is quoted, with <c>"</c> escaped inside.
/// </para>
/// <para>
/// One addition: a value starting or ending with white space is quoted too, because readers trim the
/// line and would otherwise lose that white space at the end of the line. Other control characters
/// (tab, NUL, ...) are written as they are: only LF ends a line, and CR is escaped because readers
/// drop a telnet CR.
/// </para>
/// </remarks>
internal static class MessageWriter
{
    // Characters that stop the plain copy of a value: they need escaping or force quoting.
    private static readonly SearchValues<char> Special = SearchValues.Create("\\\n\r;\"");

    /// <summary>The wire text of <paramref name="message"/>.</summary>
    public static string Write(SdMessage message)
    {
        var length = Measure(message);
        return string.Create(length, message, static (span, m) =>
        {
            var written = Fill(span, m);
            Debug.Assert(written == span.Length, "Measure and Fill disagree");
        });
    }

    /// <summary>
    /// The wire text of a message with only a command and parameters, written without building an
    /// <see cref="SdMessage"/> (no parameter dictionary): for a record written once per connection.
    /// </summary>
    /// <param name="command">A valid command.</param>
    /// <param name="parameters">Valid names, in ordinal order, as every message writes them.</param>
    public static string Write(string command, ReadOnlySpan<KeyValuePair<string, string>> parameters)
    {
        Debug.Assert(IsOrdinalOrder(parameters), "parameters must come in ordinal order");
        var length = command.Length;
        foreach (var (name, value) in parameters) length += 2 + name.Length + MeasureValue(value);
        var span = length <= 1024 ? stackalloc char[length] : new char[length];
        var n = 0;
        Append(span, ref n, command);
        var separator = ' ';
        foreach (var (name, value) in parameters) FillParameter(span, ref n, ref separator, name, value);
        Debug.Assert(n == length, "Measure and Fill disagree");
        return new string(span);
    }

    /// <summary>Whether a value is written between quotes.</summary>
    public static bool NeedsQuotes(ReadOnlySpan<char> value)
        => !value.IsEmpty
           && (value[0] == '"' || IsTrimmed(value[0]) || IsTrimmed(value[^1]) || value.Contains(';'));

    // White space a reader would trim from the end of the line; LF and CR are not among them
    // because they are written as \n and \r.
    private static bool IsTrimmed(char c) => c is not ('\n' or '\r') && char.IsWhiteSpace(c);

    private static int Measure(SdMessage m)
    {
        var n = 0;
        if (m.SentFromServer is not null || m.SentFromService is not null)
        {
            n += 3 + (m.SentFromServer?.Length ?? 0) + (m.SentFromService?.Length ?? 0);
        }

        if (m.Service is not null)
        {
            n += m.Service.Length + 1 + (m.Server is null ? 0 : m.Server.Length + 1);
        }

        n += m.Command.Length;
        foreach (var (name, value) in m.Parameters)
        {
            n += 2 + name.Length + MeasureValue(value);
        }

        return n;
    }

    private static int MeasureValue(string value)
    {
        var quoted = NeedsQuotes(value);
        var span = value.AsSpan();
        var n = value.Length + (quoted ? 2 : 0);
        var i = span.IndexOfAny(Special);
        if (i < 0)
        {
            return n;
        }

        foreach (var c in span[i..])
        {
            if (c is '\\' or '\n' or '\r' || (quoted && c == '"'))
            {
                n++;
            }
        }

        return n;
    }

    private static int Fill(Span<char> span, SdMessage m)
    {
        var n = 0;
        if (m.SentFromServer is not null || m.SentFromService is not null)
        {
            span[n++] = '<';
            Append(span, ref n, m.SentFromServer);
            span[n++] = ':';
            Append(span, ref n, m.SentFromService);
            span[n++] = ' ';
        }

        // eventdispatcher writes the server only in front of a service: "server:COMMAND" would
        // read back as a server without a service, which it does not route.
        if (m.Service is not null)
        {
            if (m.Server is not null)
            {
                Append(span, ref n, m.Server);
                span[n++] = ':';
            }

            Append(span, ref n, m.Service);
            span[n++] = '/';
        }

        Append(span, ref n, m.Command);
        var separator = ' ';
        foreach (var (name, value) in m.Parameters) FillParameter(span, ref n, ref separator, name, value);
        return n;
    }

    /// <summary>Writes <c> name=value</c> after the command, <c>;name=value</c> after a parameter.</summary>
    private static void FillParameter(Span<char> span, ref int n, ref char separator, string name, string value)
    {
        span[n++] = separator;
        separator = ';';
        Append(span, ref n, name);
        span[n++] = '=';
        n += FillValue(span[n..], value);
    }

    private static bool IsOrdinalOrder(ReadOnlySpan<KeyValuePair<string, string>> parameters)
    {
        for (var i = 1; i < parameters.Length; i++)
        {
            if (string.CompareOrdinal(parameters[i - 1].Key, parameters[i].Key) >= 0) return false;
        }

        return true;
    }

    private static int FillValue(Span<char> span, string value)
    {
        var quoted = NeedsQuotes(value);
        var source = value.AsSpan();
        var n = 0;
        if (quoted)
        {
            span[n++] = '"';
        }

        while (true)
        {
            var i = source.IndexOfAny(Special);
            if (i < 0)
            {
                source.CopyTo(span[n..]);
                n += source.Length;
                break;
            }

            source[..i].CopyTo(span[n..]);
            n += i;
            var c = source[i];
            switch (c)
            {
                case '\\':
                    span[n++] = '\\';
                    span[n++] = '\\';
                    break;
                case '\n':
                    span[n++] = '\\';
                    span[n++] = 'n';
                    break;
                case '\r':
                    span[n++] = '\\';
                    span[n++] = 'r';
                    break;
                case '"' when quoted:
                    span[n++] = '\\';
                    span[n++] = '"';
                    break;
                default:
                    span[n++] = c;
                    break;
            }

            source = source[(i + 1)..];
        }

        if (quoted)
        {
            span[n++] = '"';
        }

        return n;
    }

    private static void Append(Span<char> span, ref int n, string? text)
    {
        if (text is null)
        {
            return;
        }

        text.CopyTo(span[n..]);
        n += text.Length;
    }
}
