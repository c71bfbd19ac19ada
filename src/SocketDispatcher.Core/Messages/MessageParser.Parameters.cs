using System.Collections.Immutable;

namespace SocketDispatcher;

/// <summary>The parameters part of a message: <c>name=value;...</c>, quoted values and escapes (docs/architecture.md, "Message format").</summary>
internal static partial class MessageParser
{
    private static SdMessageFormatException? ReadParameters(ReadOnlySpan<char> text, int i, int end, out ImmutableSortedDictionary<string, string> parameters)
    {
        parameters = SdMessage.NoParameters;
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        while (i < end)
        {
            var nameStart = i;
            var first = text[i];
            if (first == ';')
            {
                return Error(i, "an empty parameter (nothing between two ';')");
            }

            if (first == '=')
            {
                return Error(i, "an empty parameter name before '='");
            }

            if (char.IsAsciiDigit(first))
            {
                return Error(i, "a parameter name starts with a digit");
            }

            while (i < end && MessageGrammar.IsNameChar(text[i]))
            {
                i++;
            }

            if (i == end || text[i] == ';')
            {
                return Error(i, $"parameter {MessageGrammar.Display(text[nameStart..i])} without '='");
            }

            if (text[i] != '=')
            {
                return Error(i, $"{MessageGrammar.Display([text[i]])} is not allowed in a parameter name");
            }

            var name = MessageNames.Get(text[nameStart..i]);
            i++;
            string value;
            if (i < end && text[i] == '"')
            {
                if (ReadQuotedValue(text, ref i, end, out value) is { } quoteError)
                {
                    return quoteError;
                }
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

        parameters = builder.ToImmutable();
        return null;
    }

    // i is at the opening quote; on success it is past the closing one.
    private static SdMessageFormatException? ReadQuotedValue(ReadOnlySpan<char> text, ref int i, int end, out string value)
    {
        value = string.Empty;
        var quote = i;
        i++;
        while (true)
        {
            if (i >= end)
            {
                return Error(quote, "an unterminated quoted value (no closing '\"')");
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
            return Error(i, "text after a closing quote (expected ';' or the end of the line)");
        }

        return null;
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
}
