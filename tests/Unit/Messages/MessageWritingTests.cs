namespace SocketDispatcher.Tests.Messages;

/// <summary>The writing vectors of the message format (a message and the line it must give), row by row, plus the cases eventdispatcher leaves to us.</summary>
public class MessageWritingTests
{
    public static TheoryData<string, SdMessage, string> WritingVectors() => new()
    {
        {
            "plain parameters in ordinal order",
            new SdMessage("FIRE", P(("name", "Charles"), ("length", "-35"))),
            "FIRE length=-35;name=Charles"
        },
        {
            "numbers, booleans and an empty value are plain text",
            new SdMessage("FIRE", P(("name", "Charles"), ("length", "-35"), ("range", "+101"), ("valid", "true"), ("correct", "false"), ("void", ""))),
            "FIRE correct=false;length=-35;name=Charles;range=+101;valid=true;void="
        },
        {
            "sent-from prefix and server:service address",
            new SdMessage("CONNECT", P(("version", "1")), server: "jungle", service: "watchdog", sentFromServer: "remote", sentFromService: "firewall"),
            "<remote:firewall jungle:watchdog/CONNECT version=1"
        },
        {
            "service only",
            new SdMessage("STOP", service: "cluckd"),
            "cluckd/STOP"
        },
        {
            "a server without a service is not written",
            new SdMessage("STOP", server: "jungle"),
            "STOP"
        },
        {
            "a ';' forces quotes",
            new SdMessage("SET", P(("v", "a;b"))),
            "SET v=\"a;b\""
        },
        {
            "quotes inside a quoted value are escaped",
            new SdMessage("SET", P(("v", "say \"hi\"; bye"))),
            "SET v=\"say \\\"hi\\\"; bye\""
        },
        {
            "a leading quote forces quotes",
            new SdMessage("SET", P(("v", "\"quoted\""))),
            "SET v=\"\\\"quoted\\\"\""
        },
        {
            "a quote in the middle of an unquoted value stays as it is",
            new SdMessage("SET", P(("v", "mid\"quote"))),
            "SET v=mid\"quote"
        },
        {
            "LF and CR are escaped",
            new SdMessage("SET", P(("v", "line1\nline2\r\n"))),
            "SET v=line1\\nline2\\r\\n"
        },
        {
            "backslashes are doubled",
            new SdMessage("SET", P(("v", "C:\\path\\n"))),
            "SET v=C:\\\\path\\\\n"
        },
        {
            "upper case names sort before lower case ones",
            new SdMessage("SET", P(("b", "2"), ("a", "1"), ("B", "3"))),
            "SET B=3;a=1;b=2"
        },
        {
            "a trailing space forces quotes",
            new SdMessage("SET", P(("v", "trailing "))),
            "SET v=\"trailing \""
        },
    };

    [Theory]
    [MemberData(nameof(WritingVectors))]
    public void WriterProducesTheVectorText(string row, SdMessage message, string expected)
    {
        Assert.True(expected == message.ToString(), $"{row}: expected <{expected}> got <{message}>");
    }

    [Theory]
    [MemberData(nameof(WritingVectors))]
    public void EveryWritingVectorReadsBackToTheSameMessage(string row, SdMessage message, string expected)
    {
        var read = SdMessage.Parse(expected);
        var wanted = message.Service is null && message.Server is not null
            ? new SdMessage(message.Command, message.Parameters, null, null, message.SentFromServer, message.SentFromService)
            : message;
        MessageAssert.Equal(wanted, read, row);
    }

    [Theory]
    [InlineData(" leading", "SET v=\" leading\"")]
    [InlineData("\ttab at both ends\t", "SET v=\"\ttab at both ends\t\"")]
    [InlineData("ends with a backslash\\", "SET v=ends with a backslash\\\\")]
    [InlineData("a;b\\", "SET v=\"a;b\\\\\"")]
    [InlineData("\"\\", "SET v=\"\\\"\\\\\"")]
    [InlineData("nul\0and\u0001bell\a", "SET v=nul\0and\u0001bell\a")]
    [InlineData("caf\u00e9 \U0001F600", "SET v=caf\u00e9 \U0001F600")]
    [InlineData("\u00a0", "SET v=\"\u00a0\"")]
    [InlineData("\"", "SET v=\"\\\"\"")]
    public void WriterQuotesAndEscapesWhatReadingWouldOtherwiseLose(string value, string expected)
    {
        var message = new SdMessage("SET", P(("v", value)));
        Assert.Equal(expected, message.ToString());
        Assert.Equal(value, SdMessage.Parse(message.ToString()).GetParameter("v"));
    }

    [Fact]
    public void WriterWritesSentFromPrefixWhenOnlyOneSideIsSet()
    {
        Assert.Equal("<:firewall PING", new SdMessage("PING", sentFromService: "firewall").ToString());
        Assert.Equal("<remote: PING", new SdMessage("PING", sentFromServer: "remote").ToString());
    }

    internal static KeyValuePair<string, string>[] P(params (string Name, string Value)[] parameters)
        => Array.ConvertAll(parameters, p => KeyValuePair.Create(p.Name, p.Value));
}
