using System.Text.Json;
using CsCheck;

namespace SocketDispatcher.Tests.Messages;

/// <summary>
/// Property tests: every message survives the line form and the JSON form, and no input makes the
/// readers fail with anything but <see cref="SdMessageFormatException"/>.
/// </summary>
public class MessageRoundTripProperties
{
    private const long Iterations = 10_000;

    private const string NameStart = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    private const string NameRest = NameStart + "0123456789";

    private static readonly Gen<string> ParameterName =
        Gen.Select(Gen.Char[NameStart], Gen.Char[NameRest].Array[0, 6], (c, rest) => c + new string(rest));

    private static readonly Gen<string> Command =
        Gen.Select(Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ_"], Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"].Array[0, 8], (c, rest) => c + new string(rest));

    // Pieces of values, weighted towards what the writer has to quote or escape.
    private static readonly Gen<string> ValuePiece = Gen.Frequency(
        (6, Gen.OneOfConst(";", "\"", "\\", "\r", "\n", " ", "\t", "=", "<", ":", "/", "\\n", "\\\"", "\"\\", "\r\n", "\0", "\u0001", "\u007f")),
        (6, Gen.Char[' ', '~'].Select(c => c.ToString())),
        (2, Gen.OneOfConst("\u00e9", "\u00a0", "\u2028", "\u0085", "\u3000", "\u4e2d\u6587", "\U0001F600", "\uFEFF")),
        (1, Gen.Char['\u00a0', '\ud7ff'].Select(c => c.ToString())));

    private static readonly Gen<string> Value = Gen.Frequency(
        (1, Gen.Const(string.Empty)),
        (10, Gen.Select(
            Gen.FrequencyConst((6, ""), (1, " "), (1, "\t"), (1, "\""), (1, "\\"), (1, "\u00a0")),
            ValuePiece.Array[0, 12],
            Gen.FrequencyConst((5, ""), (2, "\\"), (1, " "), (1, "\t"), (1, "\""), (1, "\n"), (1, "\r"), (1, ";")),
            (prefix, pieces, suffix) => prefix + string.Concat(pieces) + suffix)));

    private static readonly Gen<string?> Server = Gen.Frequency(
        (3, Gen.Const((string?)null)), (3, ParameterName.Select(n => (string?)n)), (1, Gen.OneOfConst<string?>(".", "*")));

    private static readonly Gen<string?> Service = Gen.Frequency(
        (3, Gen.Const((string?)null)), (3, ParameterName.Select(n => (string?)n)), (1, Gen.OneOfConst<string?>("*", "?", ".")));

    private static readonly Gen<string?> SentFrom = Gen.Frequency(
        (2, Gen.Const((string?)null)), (1, ParameterName.Select(n => (string?)n)));

    private static readonly Gen<SdMessage> Message = Gen.Select(
        Command,
        Gen.Select(ParameterName, Value, KeyValuePair.Create).Array[0, 6],
        Server,
        Service,
        SentFrom,
        SentFrom,
        (command, parameters, server, service, fromServer, fromService)
            => new SdMessage(command, parameters, server, service, fromServer, fromService));

    [Fact]
    public void ParseReadsBackEveryWrittenMessage()
    {
        Message.Sample(
            m =>
            {
                var line = m.ToString();
                Assert.DoesNotContain('\n', line);
                Assert.DoesNotContain('\r', line);
                MessageAssert.Equal(WithoutUnwrittenServer(m), SdMessage.Parse(line), line);

                // A stream line ends with '\n' and a telnet client adds '\r'.
                MessageAssert.Equal(WithoutUnwrittenServer(m), SdMessage.Parse(line + "\r\n"), line);
            },
            iter: Iterations,
            threads: 1,
            print: m => m.ToString());
    }

    [Fact]
    public void FromJsonReadsBackEveryMessageAsValidJson()
    {
        Message.Sample(
            m =>
            {
                var json = m.ToJson();
                using (var doc = JsonDocument.Parse(json))
                {
                    Assert.Equal(m.Command, doc.RootElement.GetProperty("command").GetString());
                }

                MessageAssert.Equal(m, SdMessage.FromJson(json), json);
            },
            iter: Iterations,
            threads: 1,
            print: m => m.ToJson());
    }

    [Fact]
    public void ParseOfAnyLineEitherFailsWithPositionOrReadsStably()
    {
        var line = Gen.Frequency(
            (4, Gen.OneOfConst("<", ":", "/", " ", ";", "=", "\"", "\\", "a", "A", "1", "_", "-", "\t", "\r", "\n", "x=", ";b=", "\u00e9")),
            (1, Gen.Char[' ', '~'].Select(c => c.ToString()))).Array[0, 20].Select(string.Concat);
        line.Sample(
            text =>
            {
                SdMessage first;
                try
                {
                    first = SdMessage.Parse(text);
                }
                catch (SdMessageFormatException ex)
                {
                    Assert.InRange(ex.Position, 0, text.Length);
                    Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
                    Assert.DoesNotContain('\n', ex.Message);
                    return;
                }

                // A message read leniently must write and read back to itself.
                MessageAssert.Equal(WithoutUnwrittenServer(first), SdMessage.Parse(first.ToString()), text);
                MessageAssert.Equal(first, SdMessage.FromJson(first.ToJson()), text);
            },
            iter: Iterations,
            threads: 1);
    }

    [Fact]
    public void FromJsonOfAnyTextFailsOnlyWithMessageFormatException()
    {
        var json = Gen.OneOfConst(
            "{", "}", "[", "]", ":", ",", "\"command\"", "\"PING\"", "\"parameters\"", "\"a\"", "1", "-2.5e3", "true", "null", " ", "\"x\\u0000\"", "\"\\ud800\"")
            .Array[0, 12].Select(string.Concat);
        json.Sample(
            text =>
            {
                try
                {
                    var m = SdMessage.FromJson(text);
                    MessageAssert.Equal(m, SdMessage.FromJson(m.ToJson()), text);
                }
                catch (SdMessageFormatException ex)
                {
                    Assert.InRange(ex.Position, 0, System.Text.Encoding.UTF8.GetByteCount(text));
                }
            },
            iter: Iterations,
            threads: 1);
    }

    // The line form has no place for a server without a service (eventdispatcher writes neither),
    // so that server is the one field the line cannot carry; the JSON form keeps it.
    private static SdMessage WithoutUnwrittenServer(SdMessage m)
        => m.Service is null && m.Server is not null
            ? SdMessage.FromValidatedParts(m.Command, m.Parameters, null, null, m.SentFromServer, m.SentFromService)
            : m;
}
