using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace SocketDispatcher;

/// <summary>
/// Reads one line of eventdispatcher's message format into an <see cref="SdMessage"/>
/// (docs/architecture.md, "Message format"; the vectors are in tests/Unit/Messages/MessageReadingTests.cs).
/// </summary>
/// <remarks>
/// <para>
/// The try form is the core: a peer may send any line, and a bad one is an answer (<c>INVALID</c>), not
/// an exceptional event, so every rule below returns its error instead of throwing it; only
/// <see cref="Parse"/> throws, for callers that hold text they expect to be valid.
/// </para>
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
internal static partial class MessageParser
{
    private static readonly SearchValues<char> AddressStops = SearchValues.Create(" :/");

    /// <summary>Parses <paramref name="line"/>; positions in errors are indexes into it, before trimming.</summary>
    /// <exception cref="SdMessageFormatException">The line is not a valid message.</exception>
    public static SdMessage Parse(string line)
        => TryParse(line, out var message, out var error) ? message : throw error;

    /// <summary>Parses <paramref name="line"/> without throwing; positions in errors are indexes into it, before trimming.</summary>
    /// <param name="line">The line, with or without its <c>\n</c>.</param>
    /// <param name="message">The message, when the line is valid.</param>
    /// <param name="error">Why the line is not valid (built, never thrown), otherwise.</param>
    /// <returns>Whether the line is a valid message.</returns>
    public static bool TryParse(
        string line,
        [NotNullWhen(true)] out SdMessage? message,
        [NotNullWhen(false)] out SdMessageFormatException? error)
    {
        error = Read(line, out message);
        return error is null;
    }

    private static SdMessageFormatException? Read(string line, out SdMessage? message)
    {
        message = null;
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
            return Error(0, "empty message");
        }

        var surrogate = MessageGrammar.FindLoneSurrogate(text[start..end]);
        if (surrogate >= 0)
        {
            return Error(start + surrogate, "a lone surrogate (the line is not valid UTF-16)");
        }

        SdMessageFormatException? error;
        var i = start;
        string? sentFromServer = null;
        string? sentFromService = null;
        if (text[i] == '<' && (error = ReadSentFrom(text, ref i, end, out sentFromServer, out sentFromService)) is not null)
        {
            return error;
        }

        if ((error = ReadAddressAndCommand(text, ref i, end, out var server, out var service, out var command)) is not null)
        {
            return error;
        }

        var parameters = SdMessage.NoParameters;

        // ReadAddressAndCommand stops at the end or at a space.
        if (i < end && (error = ReadParameters(text, i + 1, end, out parameters)) is not null)
        {
            return error;
        }

        message = SdMessage.FromValidatedParts(command, parameters, server, service, sentFromServer, sentFromService);
        return null;
    }

    // '<' server ':' service ' ' - both names may be empty, as eventdispatcher writes the prefix
    // when either one is set. On success i is past the space.
    private static SdMessageFormatException? ReadSentFrom(ReadOnlySpan<char> text, ref int i, int end, out string? server, out string? service)
    {
        server = null;
        service = null;
        var nameStart = ++i;
        while (i < end && text[i] != ':')
        {
            if (text[i] == ' ')
            {
                return Error(i, "a space in the sent-from server name ('<server:service ' expected)");
            }

            i++;
        }

        if (i == end)
        {
            return Error(i, "a sent-from prefix without ':' ('<server:service ' expected)");
        }

        if (ReadAddressName(text, nameStart, i, AddressPart.SentFromServer, out server) is { } serverError)
        {
            return serverError;
        }

        nameStart = ++i;
        while (i < end && text[i] != ' ')
        {
            i++;
        }

        if (i == end)
        {
            return Error(i, "a sent-from prefix without a command after it");
        }

        if (ReadAddressName(text, nameStart, i, AddressPart.SentFromService, out service) is { } serviceError)
        {
            return serviceError;
        }

        i++;
        return null;
    }

    // On success i is at the end or at the space before the parameters.
    private static SdMessageFormatException? ReadAddressAndCommand(
        ReadOnlySpan<char> text, ref int i, int end, out string? server, out string? service, out string command)
    {
        server = null;
        service = null;
        command = string.Empty;
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
                    return Error(i, "a second ':' in the address (only 'server:service/' is allowed)");
                }

                if (hasService)
                {
                    return Error(i, "a ':' after the service name (the server comes first: 'server:service/')");
                }

                if (i == segment)
                {
                    return Error(i, "an empty server name before ':'");
                }

                hasServer = true;
                if (ReadAddressName(text, segment, i, AddressPart.Server, out server) is { } serverError)
                {
                    return serverError;
                }
            }
            else
            {
                if (hasService)
                {
                    return Error(i, "a second '/' in the address");
                }

                if (i == segment)
                {
                    return Error(i, "an empty service name before '/'");
                }

                hasService = true;
                if (ReadAddressName(text, segment, i, AddressPart.Service, out service) is { } serviceError)
                {
                    return serviceError;
                }
            }

            segment = ++i;
        }

        if (i == segment)
        {
            return Error(i, "a missing command");
        }

        var name = text[segment..i];
        var bad = MessageGrammar.FindInvalidCommandChar(name, allowLowerCase: true);
        if (bad >= 0)
        {
            return Error(segment + bad, $"bad command {MessageGrammar.Display(name)}: {MessageGrammar.DescribeCommandChar(name[bad], bad, allowLowerCase: true)}");
        }

        command = MessageNames.Get(name);
        return null;
    }

    private static SdMessageFormatException? ReadAddressName(ReadOnlySpan<char> text, int start, int end, AddressPart part, out string? result)
    {
        result = null;
        if (start == end)
        {
            return null;
        }

        var name = text[start..end];
        var bad = MessageGrammar.FindInvalidAddressChar(name, part);
        if (bad >= 0)
        {
            return Error(
                start + bad,
                $"bad {MessageGrammar.PartName(part)} name {MessageGrammar.Display(name)}: {MessageGrammar.DescribeNameChar(name[bad], bad)}");
        }

        result = MessageNames.Get(name);
        return null;
    }

    private static SdMessageFormatException Error(int position, string reason) => new(position, reason);
}
