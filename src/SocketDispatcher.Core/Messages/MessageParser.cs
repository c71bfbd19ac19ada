using System.Buffers;
using System.Collections.Immutable;

namespace SocketDispatcher;

/// <summary>
/// Reads one line of eventdispatcher's message format into an <see cref="SdMessage"/>
/// (docs/architecture.md, "Message format"; the vectors are in tests/Unit/Messages/MessageReadingTests.cs).
/// </summary>
/// <remarks>
/// <para>
/// Behaviour follows eventdispatcher's <c>message::from_string()</c> (m2osw/eventdispatcher,
/// eventdispatcher/message.cpp): the line is trimmed (a telnet CR included), an optional
/// <c>&lt;server:service </c> prefix, an optional <c>[server:]service/</c> address, the command, then
/// after one space <c>name=value</c> pairs separated by <c>;</c> with an optional trailing <c>;</c>;
/// a value that starts with <c>"</c> is quoted; the last duplicate wins.
/// </para>
/// <para>
/// Differences, all on input eventdispatcher would mangle or that no eventdispatcher writer produces:
/// escapes are read left to right in one pass, so a quoted value ending in <c>\\</c> keeps its
/// backslash where eventdispatcher takes <c>\"</c> for an escaped quote and reports an unterminated
/// value; the command must be <c>[A-Za-z_][A-Za-z0-9_]*</c> and address parts must be names (or
/// eventdispatcher's special names) where eventdispatcher's parser takes any other character and
/// only fails later when the names are used; a lone surrogate is rejected because it cannot be
/// written back as UTF-8 or JSON.
/// </para>
/// <para>
/// Escapes in values: <c>\\</c>, <c>\n</c>, <c>\r</c>, and inside quotes <c>\"</c>. Any other
/// backslash is kept as it is, with the character after it, as eventdispatcher does (so
/// <c>a\tb</c> reads as those four characters, and <c>\"</c> in an unquoted value stays two characters).
/// </para>
/// </remarks>
internal static class MessageParser
{
    private static readonly SearchValues<char> AddressStops = SearchValues.Create(" :/");

    /// <summary>Parses <paramref name="line"/>; positions in errors are indexes into it, before trimming.</summary>
    /// <exception cref="SdMessageFormatException">The line is not a valid message.</exception>
    public static SdMessage Parse(string line)
    {
        var text = line.AsSpan();
        var start = 0;
        var end = text.Length;
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            throw Error(0, "empty message");
        }

        var surrogate = MessageGrammar.FindLoneSurrogate(text[start..end]);
        if (surrogate >= 0)
        {
            throw Error(start + surrogate, "a lone surrogate (the line is not valid UTF-16)");
        }

        var i = start;
        string? sentFromServer = null;
        string? sentFromService = null;
        if (text[i] == '<')
        {
            i = ReadSentFrom(text, i, end, out sentFromServer, out sentFromService);
        }

        i = ReadAddressAndCommand(text, i, end, out var server, out var service, out var command);

        var parameters = SdMessage.NoParameters;
        if (i < end)
        {
            // ReadAddressAndCommand stops at the end or at a space.
            parameters = ReadParameters(text, i + 1, end);
        }

        return SdMessage.FromValidatedParts(command, parameters, server, service, sentFromServer, sentFromService);
    }

    // '<' server ':' service ' ' - both names may be empty, as eventdispatcher writes the prefix
    // when either one is set.
    private static int ReadSentFrom(ReadOnlySpan<char> text, int i, int end, out string? server, out string? service)
    {
        var nameStart = ++i;
        while (i < end && text[i] != ':')
        {
            if (text[i] == ' ')
            {
                throw Error(i, "a space in the sent-from server name ('<server:service ' expected)");
            }

            i++;
        }

        if (i == end)
        {
            throw Error(i, "a sent-from prefix without ':' ('<server:service ' expected)");
        }

        server = ReadAddressName(text, nameStart, i, AddressPart.SentFromServer);
        nameStart = ++i;
        while (i < end && text[i] != ' ')
        {
            i++;
        }

        if (i == end)
        {
            throw Error(i, "a sent-from prefix without a command after it");
        }

        service = ReadAddressName(text, nameStart, i, AddressPart.SentFromService);
        return i + 1;
    }

    private static int ReadAddressAndCommand(
        ReadOnlySpan<char> text, int i, int end, out string? server, out string? service, out string command)
    {
        server = null;
        service = null;
        var hasServer = false;
        var hasService = false;
        var segment = i;
        while (true)
        {
            var stop = text[i..end].IndexOfAny(AddressStops);
            i = stop < 0 ? end : i + stop;
            if (i == end || text[i] == ' ')
            {
                break;
            }

            if (text[i] == ':')
            {
                if (hasServer)
                {
                    throw Error(i, "a second ':' in the address (only 'server:service/' is allowed)");
                }

                if (hasService)
                {
                    throw Error(i, "a ':' after the service name (the server comes first: 'server:service/')");
                }

                if (i == segment)
                {
                    throw Error(i, "an empty server name before ':'");
                }

                hasServer = true;
                server = ReadAddressName(text, segment, i, AddressPart.Server);
            }
            else
            {
                if (hasService)
                {
                    throw Error(i, "a second '/' in the address");
                }

                if (i == segment)
                {
                    throw Error(i, "an empty service name before '/'");
                }

                hasService = true;
                service = ReadAddressName(text, segment, i, AddressPart.Service);
            }

            segment = ++i;
        }

        if (i == segment)
        {
            throw Error(i, "a missing command");
        }

        var name = text[segment..i];
        var bad = MessageGrammar.FindInvalidCommandChar(name, allowLowerCase: true);
        if (bad >= 0)
        {
            throw Error(segment + bad, $"bad command {MessageGrammar.Display(name)}: {MessageGrammar.DescribeCommandChar(name[bad], bad, allowLowerCase: true)}");
        }

        command = MessageNames.Get(name);
        return i;
    }

    private static string? ReadAddressName(ReadOnlySpan<char> text, int start, int end, AddressPart part)
    {
        if (start == end)
        {
            return null;
        }

        var name = text[start..end];
        var bad = MessageGrammar.FindInvalidAddressChar(name, part);
        if (bad >= 0)
        {
            throw Error(
                start + bad,
                $"bad {MessageGrammar.PartName(part)} name {MessageGrammar.Display(name)}: {MessageGrammar.DescribeNameChar(name[bad], bad)}");
        }

        return MessageNames.Get(name);
    }

    private static ImmutableSortedDictionary<string, string> ReadParameters(ReadOnlySpan<char> text, int i, int end)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        while (i < end)
        {
            var nameStart = i;
            var first = text[i];
            if (first == ';')
            {
                throw Error(i, "an empty parameter (nothing between two ';')");
            }

            if (first == '=')
            {
                throw Error(i, "an empty parameter name before '='");
            }

            if (char.IsAsciiDigit(first))
            {
                throw Error(i, "a parameter name starts with a digit");
            }

            while (i < end && MessageGrammar.IsNameChar(text[i]))
            {
                i++;
            }

            if (i == end || text[i] == ';')
            {
                throw Error(i, $"parameter {MessageGrammar.Display(text[nameStart..i])} without '='");
            }

            if (text[i] != '=')
            {
                throw Error(i, $"{MessageGrammar.Display([text[i]])} is not allowed in a parameter name");
            }

            var name = MessageNames.Get(text[nameStart..i]);
            i++;
            string value;
            if (i < end && text[i] == '"')
            {
                i = ReadQuotedValue(text, i, end, out value);
            }
            else
            {
                var length = text[i..end].IndexOf(';');
                var valueEnd = length < 0 ? end : i + length;
                value = Unescape(text[i..valueEnd], quoted: false);
                i = valueEnd;
            }

            builder[name] = value;

            // Skip the ';' (a trailing one is allowed).
            i++;
        }

        return builder.ToImmutable();
    }

    private static int ReadQuotedValue(ReadOnlySpan<char> text, int quote, int end, out string value)
    {
        var i = quote + 1;
        while (true)
        {
            if (i >= end)
            {
                throw Error(quote, "an unterminated quoted value (no closing '\"')");
            }

            var c = text[i];
            if (c == '"')
            {
                break;
            }

            // An escape is two characters, so the character after '\' can never close the value.
            i += c == '\\' ? 2 : 1;
        }

        value = Unescape(text[(quote + 1)..i], quoted: true);
        i++;
        if (i < end && text[i] != ';')
        {
            throw Error(i, "text after a closing quote (expected ';' or the end of the line)");
        }

        return i;
    }

    private static string Unescape(ReadOnlySpan<char> raw, bool quoted)
    {
        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        var backslash = raw.IndexOf('\\');
        if (backslash < 0)
        {
            // Fast path: most values have nothing to unescape.
            return new string(raw);
        }

        // The result is never longer than the raw text.
        var buffer = raw.Length <= 256 ? stackalloc char[raw.Length] : new char[raw.Length];
        raw[..backslash].CopyTo(buffer);
        var n = backslash;
        for (var i = backslash; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < raw.Length)
            {
                var next = raw[i + 1];
                char? replacement = next switch
                {
                    '\\' => '\\',
                    'n' => '\n',
                    'r' => '\r',
                    '"' when quoted => '"',
                    _ => null,
                };
                if (replacement is { } r)
                {
                    buffer[n++] = r;
                    i++;
                    continue;
                }
            }

            buffer[n++] = c;
        }

        return new string(buffer[..n]);
    }

    private static SdMessageFormatException Error(int position, string reason) => new(position, reason);
}
