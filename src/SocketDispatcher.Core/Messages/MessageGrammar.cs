using System.Text;

namespace SocketDispatcher;

/// <summary>
/// Name rules of the message format (docs/architecture.md, "Message format"), shared by the <see cref="SdMessage"/>
/// constructor (which throws <see cref="ArgumentException"/>) and the parser (which reports a
/// <see cref="SdMessageFormatException"/> at the offending character).
/// </summary>
/// <remarks>
/// The rules follow eventdispatcher's <c>verify_message_name()</c> (m2osw/eventdispatcher,
/// eventdispatcher/message.cpp): ASCII letters, digits and <c>_</c>, not starting with a digit;
/// commands upper case only. The special server names <c>.</c> and <c>*</c> and service names
/// <c>*</c>, <c>?</c> and <c>.</c> are the ones its <c>set_server()</c> and <c>set_service()</c> accept.
/// </remarks>
internal static class MessageGrammar
{
    /// <summary>Validates a command given to the constructor: <c>[A-Z_][A-Z0-9_]*</c>.</summary>
    public static void ValidateCommand(string command)
    {
        if (command.Length == 0)
        {
            throw new ArgumentException("a command cannot be empty", nameof(command));
        }

        var bad = FindInvalidCommandChar(command, allowLowerCase: false);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"command {Display(command)} is not valid: {DescribeCommandChar(command[bad], bad, allowLowerCase: false)}; a command is [A-Z_][A-Z0-9_]*",
                nameof(command));
        }
    }

    /// <summary>Validates a parameter name given to the constructor: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static void ValidateParameterName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("a parameter name cannot be empty", nameof(name));
        }

        var bad = FindInvalidNameChar(name);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"parameter name {Display(name)} is not valid: {DescribeNameChar(name[bad], bad)}; a parameter name is [A-Za-z_][A-Za-z0-9_]*",
                nameof(name));
        }
    }

    /// <summary>Validates a parameter value given to the constructor: any text that is well-formed UTF-16.</summary>
    /// <remarks>
    /// A lone surrogate cannot be sent: the wire is UTF-8 (it would arrive as U+FFFD) and JSON
    /// writers refuse it. Rejecting it here keeps every message we hold loss-free on the wire.
    /// </remarks>
    public static void ValidateParameterValue(string name, string value)
    {
        var bad = FindLoneSurrogate(value);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"the value of parameter {Display(name)} is not valid UTF-16: a lone surrogate at index {bad}",
                nameof(value));
        }
    }

    /// <summary>Validates a server, service or sent-from name given to the constructor; null or empty means absent.</summary>
    public static void ValidateAddressPart(string? value, AddressPart part)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var bad = FindInvalidAddressChar(value, part);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"{PartName(part)} name {Display(value)} is not valid: {DescribeNameChar(value[bad], bad)}; a name is [A-Za-z_][A-Za-z0-9_]*{SpecialNames(part)}",
                ParameterName(part));
        }
    }

    /// <summary>Whether <paramref name="c"/> may start a parameter, server or service name.</summary>
    public static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    /// <summary>Whether <paramref name="c"/> may appear in a parameter, server or service name.</summary>
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The index of the first character that breaks the command rule, or -1 (an empty span is the caller's concern).</summary>
    /// <param name="command">The command.</param>
    /// <param name="allowLowerCase">
    /// Whether lower case letters are accepted: eventdispatcher's parser does not check the
    /// command's case, only its <c>set_command()</c> does, so reading accepts them and building does not.
    /// </param>
    public static int FindInvalidCommandChar(ReadOnlySpan<char> command, bool allowLowerCase)
    {
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            var ok = char.IsAsciiLetterUpper(c) || c == '_' || (allowLowerCase && char.IsAsciiLetterLower(c)) || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the first character that breaks <c>[A-Za-z_][A-Za-z0-9_]*</c>, or -1.</summary>
    public static int FindInvalidNameChar(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (!(i == 0 ? IsNameStart(name[i]) : IsNameChar(name[i])))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the first character that makes <paramref name="name"/> an invalid address part, or -1.</summary>
    public static int FindInvalidAddressChar(ReadOnlySpan<char> name, AddressPart part)
        => IsSpecialName(name, part) ? -1 : FindInvalidNameChar(name);

    /// <summary>The index of the first unpaired surrogate in <paramref name="text"/>, or -1.</summary>
    public static int FindLoneSurrogate(ReadOnlySpan<char> text)
    {
        // The vectorized search makes the common case (no surrogate at all) cost almost nothing.
        var i = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return -1;
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Why <paramref name="c"/> at <paramref name="index"/> cannot be in a command.</summary>
    public static string DescribeCommandChar(char c, int index, bool allowLowerCase)
    {
        if (index == 0 && char.IsAsciiDigit(c))
        {
            return "it starts with a digit";
        }

        if (!allowLowerCase && char.IsAsciiLetterLower(c))
        {
            return $"lower case {Display(c)} is not allowed (commands are upper case)";
        }

        return $"{Display(c)} is not allowed";
    }

    /// <summary>Why <paramref name="c"/> at <paramref name="index"/> cannot be in a name.</summary>
    public static string DescribeNameChar(char c, int index)
        => index == 0 && char.IsAsciiDigit(c) ? "it starts with a digit" : $"{Display(c)} is not allowed";

    /// <summary>What an address part is called in error messages.</summary>
    public static string PartName(AddressPart part) => part switch
    {
        AddressPart.Server => "server",
        AddressPart.Service => "service",
        AddressPart.SentFromServer => "sent-from server",
        _ => "sent-from service",
    };

    /// <summary>
    /// A name or character quoted for an error message, with control and non-ASCII characters as
    /// <c>\uXXXX</c> so the message stays on one line whatever the input was.
    /// </summary>
    public static string Display(ReadOnlySpan<char> text)
    {
        const int MaxShown = 40;
        var sb = new StringBuilder(Math.Min(text.Length, MaxShown) + 8);
        sb.Append('\'');
        var shown = Math.Min(text.Length, MaxShown);
        foreach (var c in text[..shown])
        {
            if (c < ' ' || c > '~')
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        if (shown < text.Length)
        {
            sb.Append("...");
        }

        return sb.Append('\'').ToString();
    }

    private static string Display(char c) => Display([c]);

    private static bool IsSpecialName(ReadOnlySpan<char> name, AddressPart part)
    {
        if (name.Length != 1)
        {
            return false;
        }

        return part switch
        {
            AddressPart.Server => name[0] is '.' or '*',
            AddressPart.Service => name[0] is '*' or '?' or '.',
            _ => false,
        };
    }

    private static string SpecialNames(AddressPart part) => part switch
    {
        AddressPart.Server => " or '.' or '*'",
        AddressPart.Service => " or '*', '?' or '.'",
        _ => string.Empty,
    };

    private static string ParameterName(AddressPart part) => part switch
    {
        AddressPart.Server => "server",
        AddressPart.Service => "service",
        AddressPart.SentFromServer => "sentFromServer",
        _ => "sentFromService",
    };
}
