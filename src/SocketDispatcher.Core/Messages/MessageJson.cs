using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SocketDispatcher;

/// <summary>
/// The JSON form of a message (vectors in tests/Unit/Messages/MessageJsonTests.cs), with eventdispatcher's field names
/// (m2osw/eventdispatcher, eventdispatcher/message.cpp, <c>to_json()</c> and <c>from_json()</c>).
/// </summary>
/// <remarks>
/// eventdispatcher writes its JSON by string concatenation, escaping only <c>\</c>, <c>"</c>, LF and
/// CR in values and nothing in names, so any other control character gives invalid JSON; it also
/// turns values that look like numbers or booleans into JSON numbers and booleans, which changes
/// <c>+101</c> into <c>101</c>. We write every value as a string through <see cref="Utf8JsonWriter"/>,
/// and read back the numbers, booleans and nulls eventdispatcher writes.
/// </remarks>
internal static class MessageJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The relaxed encoder still escapes control characters, '"' and '\' (so the output is
        // valid JSON), but leaves '+', '<', '&' and non-ASCII text readable. The output is a
        // message, not HTML, so HTML-safe escaping is of no use here.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 8,
    };

    /// <summary>The JSON text of <paramref name="message"/>.</summary>
    public static string Write(SdMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteIfSet(writer, "sent-from-server", message.SentFromServer);
            WriteIfSet(writer, "sent-from-service", message.SentFromService);
            WriteIfSet(writer, "server", message.Server);
            WriteIfSet(writer, "service", message.Service);
            writer.WriteString("command", message.Command);
            if (message.Parameters.Count > 0)
            {
                writer.WriteStartObject("parameters");
                foreach (var (name, value) in message.Parameters)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a message from its JSON text.</summary>
    /// <exception cref="SdMessageFormatException">Not JSON, or not a valid message; the position is a byte offset.</exception>
    public static SdMessage Read(string json)
    {
        byte[] utf8;
        try
        {
            utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(json);
        }
        catch (EncoderFallbackException ex)
        {
            throw new SdMessageFormatException(Encoding.UTF8.GetByteCount(json.AsSpan(0, Math.Max(ex.Index, 0))), "a lone surrogate (the text is not valid UTF-16)");
        }

        try
        {
            return Read(utf8);
        }
        catch (JsonException ex)
        {
            throw new SdMessageFormatException(ByteOffset(utf8, ex), $"not valid JSON: {FirstSentence(ex.Message)}");
        }
    }

    private static SdMessage Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read())
        {
            throw new SdMessageFormatException(0, "empty JSON message");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SdMessageFormatException((int)reader.TokenStartIndex, "a JSON message must be an object ('{' expected)");
        }

        string? sentFromServer = null;
        string? sentFromService = null;
        string? server = null;
        string? service = null;
        string? command = null;
        var commandAt = 0;
        var parameters = SdMessage.NoParameters;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = GetString(ref reader);
            reader.Read();
            switch (field)
            {
                case "sent-from-server":
                    sentFromServer = ReadAddress(ref reader, AddressPart.SentFromServer, field);
                    break;
                case "sent-from-service":
                    sentFromService = ReadAddress(ref reader, AddressPart.SentFromService, field);
                    break;
                case "server":
                    server = ReadAddress(ref reader, AddressPart.Server, field);
                    break;
                case "service":
                    service = ReadAddress(ref reader, AddressPart.Service, field);
                    break;
                case "command":
                    commandAt = (int)reader.TokenStartIndex;
                    command = ReadHeaderString(ref reader, field);
                    break;
                case "parameters":
                    parameters = ReadParameters(ref reader);
                    break;
                default:
                    // eventdispatcher ignores fields it does not know, for forward compatibility.
                    reader.Skip();
                    break;
            }
        }

        // The loop ends on the object's '}' (anything else throws a JsonException in Read()); the
        // reader itself refuses anything but white space after it.
        var end = (int)reader.BytesConsumed;
        reader.Read();

        if (string.IsNullOrEmpty(command))
        {
            throw new SdMessageFormatException(command is null ? end - 1 : commandAt, "a missing command");
        }

        var bad = MessageGrammar.FindInvalidCommandChar(command, allowLowerCase: true);
        if (bad >= 0)
        {
            throw new SdMessageFormatException(
                commandAt,
                $"bad command {MessageGrammar.Display(command)}: {MessageGrammar.DescribeCommandChar(command[bad], bad, allowLowerCase: true)}");
        }

        return SdMessage.FromValidatedParts(MessageNames.Get(command), parameters, server, service, sentFromServer, sentFromService);
    }

    private static string? ReadHeaderString(ref Utf8JsonReader reader, string field)
    {
        return reader.TokenType switch
        {
            JsonTokenType.String => GetString(ref reader),
            JsonTokenType.Null => null,
            _ => throw new SdMessageFormatException((int)reader.TokenStartIndex, $"field '{field}' must be a string"),
        };
    }

    private static string? ReadAddress(ref Utf8JsonReader reader, AddressPart part, string field)
    {
        var at = (int)reader.TokenStartIndex;
        var value = ReadHeaderString(ref reader, field);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var bad = MessageGrammar.FindInvalidAddressChar(value, part);
        if (bad >= 0)
        {
            throw new SdMessageFormatException(
                at,
                $"bad {MessageGrammar.PartName(part)} name {MessageGrammar.Display(value)}: {MessageGrammar.DescribeNameChar(value[bad], bad)}");
        }

        return MessageNames.Get(value);
    }

    private static ImmutableSortedDictionary<string, string> ReadParameters(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return SdMessage.NoParameters;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SdMessageFormatException((int)reader.TokenStartIndex, "field 'parameters' must be an object");
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)reader.TokenStartIndex;
            var name = GetString(ref reader);
            if (name.Length == 0)
            {
                throw new SdMessageFormatException(at, "an empty parameter name");
            }

            var bad = MessageGrammar.FindInvalidNameChar(name);
            if (bad >= 0)
            {
                throw new SdMessageFormatException(
                    at,
                    $"bad parameter name {MessageGrammar.Display(name)}: {MessageGrammar.DescribeNameChar(name[bad], bad)}");
            }

            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.String => GetString(ref reader),

                // Numbers keep their JSON text: eventdispatcher prints them with std::to_string(),
                // which loses digits (1.5 becomes 1.500000, 1e300 a long run of digits).
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => string.Empty,
                _ => throw new SdMessageFormatException(
                    (int)reader.TokenStartIndex,
                    $"parameter {MessageGrammar.Display(name)} must be a string, a number, a boolean or null"),
            };
            builder[MessageNames.Get(name)] = value;
        }

        return builder.ToImmutable();
    }

    private static string GetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            // GetString() reports an escaped lone surrogate ("\ud800") this way; such a string
            // cannot be held as well-formed text, so it is refused like a bad line.
            throw new SdMessageFormatException((int)reader.TokenStartIndex, $"not a valid JSON string: {FirstSentence(ex.Message)}");
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string field, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(field, value);
        }
    }

    // JsonException gives a line number and a byte position in that line; turn them into an
    // offset from the start of the text.
    private static int ByteOffset(ReadOnlySpan<byte> utf8, JsonException ex)
    {
        var line = ex.LineNumber ?? 0;
        var offset = 0;
        for (; line > 0 && offset < utf8.Length; line--)
        {
            var lf = utf8[offset..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                break;
            }

            offset += lf + 1;
        }

        return (int)Math.Min(offset + (ex.BytePositionInLine ?? 0), utf8.Length);
    }

    // System.Text.Json messages go on to repeat the line and position, which our message already has.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd().TrimEnd('.');
    }
}
