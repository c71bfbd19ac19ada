using System.Text.Json;

namespace SocketDispatcher.Tests.Messages;

/// <summary>The JSON vectors of the message format (a message and its JSON line, both ways) and what reading eventdispatcher's JSON needs.</summary>
public class MessageJsonTests
{
    private const string VectorJson =
        "{\"command\":\"FIRE\",\"parameters\":{\"correct\":\"false\",\"length\":\"-35\",\"name\":\"Charles\",\"range\":\"+101\",\"valid\":\"true\",\"void\":\"\"}}";

    [Fact]
    public void ToJsonProducesTheVectorText()
    {
        var m = SdMessage.Parse("FIRE correct=false;length=-35;name=Charles;range=+101;valid=true;void=");
        Assert.Equal(VectorJson, m.ToJson());
    }

    [Fact]
    public void FromJsonReadsTheVectorText()
    {
        var m = SdMessage.FromJson(VectorJson);
        Assert.Equal("FIRE correct=false;length=-35;name=Charles;range=+101;valid=true;void=", m.ToString());
    }

    [Fact]
    public void ToJsonWritesHeaderFieldsWithEventDispatcherNames()
    {
        var m = SdMessage.Parse("<remote:firewall jungle:watchdog/CONNECT version=1");
        Assert.Equal(
            "{\"sent-from-server\":\"remote\",\"sent-from-service\":\"firewall\",\"server\":\"jungle\",\"service\":\"watchdog\",\"command\":\"CONNECT\",\"parameters\":{\"version\":\"1\"}}",
            m.ToJson());
        MessageAssert.Equal(m, SdMessage.FromJson(m.ToJson()));
    }

    [Fact]
    public void ToJsonOmitsAbsentFieldsAndEmptyParameters()
    {
        Assert.Equal("{\"command\":\"HELP\"}", new SdMessage("HELP").ToJson());
    }

    [Fact]
    public void ToJsonKeepsServerWithoutService()
    {
        var m = new SdMessage("STOP", server: "jungle");
        Assert.Equal("{\"server\":\"jungle\",\"command\":\"STOP\"}", m.ToJson());
        Assert.Equal("jungle", SdMessage.FromJson(m.ToJson()).Server);
    }

    [Fact]
    public void ToJsonEscapesControlCharactersQuotesAndBackslashes()
    {
        var value = "\0\u0001\t\n\r\"\\\u001f\u007f\u2028caf\u00e9 \U0001F600";
        var json = new SdMessage("SET", MessageWritingTests.P(("v", value))).ToJson();
        Assert.DoesNotContain(json, c => c < ' ');
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(value, doc.RootElement.GetProperty("parameters").GetProperty("v").GetString());
        Assert.Equal(value, SdMessage.FromJson(json).GetParameter("v"));
    }

    [Fact]
    public void FromJsonReadsNumbersBooleansAndNullAsEventDispatcherWritesThem()
    {
        // eventdispatcher's to_json() writes values that look like numbers or booleans bare.
        var m = SdMessage.FromJson(
            "{\"command\":\"FIRE\",\"parameters\":{\"length\":-35,\"range\":101,\"ratio\":1.5e3,\"valid\":true,\"correct\":false,\"void\":null}}");
        Assert.Equal("-35", m.GetParameter("length"));
        Assert.Equal("101", m.GetParameter("range"));
        Assert.Equal("1.5e3", m.GetParameter("ratio"));
        Assert.Equal("true", m.GetParameter("valid"));
        Assert.Equal("false", m.GetParameter("correct"));
        Assert.Equal("", m.GetParameter("void"));
    }

    [Fact]
    public void FromJsonIgnoresUnknownFieldsAndAcceptsWhiteSpace()
    {
        var m = SdMessage.FromJson(" {\n \"version\": {\"a\": [1, 2]},\n \"command\": \"PING\", \"service\": null }\n");
        Assert.Equal("PING", m.Command);
        Assert.Null(m.Service);
        Assert.Empty(m.Parameters);
    }

    [Theory]
    [InlineData("", 0, "not valid JSON")]
    [InlineData("[]", 0, "must be an object")]
    [InlineData("{\"command\":\"PING\"", 17, "not valid JSON")]
    [InlineData("{\"command\":\"PING\",}", 18, "not valid JSON")]
    [InlineData("{\"command\":\"PING\"} x", 19, "not valid JSON")]
    [InlineData("{\"command\":\"PING\"}{}", 18, "not valid JSON")]
    [InlineData("{\"parameters\":{}}", 16, "missing command")]
    [InlineData("{\"command\":\"\"}", 11, "missing command")]
    [InlineData("{\"command\":\"PI NG\"}", 11, "bad command")]
    [InlineData("{\"command\":5}", 11, "must be a string")]
    [InlineData("{\"command\":\"PING\",\"parameters\":[]}", 31, "must be an object")]
    [InlineData("{\"command\":\"PING\",\"parameters\":{\"1a\":\"x\"}}", 32, "starts with a digit")]
    [InlineData("{\"command\":\"PING\",\"parameters\":{\"\":\"x\"}}", 32, "empty parameter name")]
    [InlineData("{\"command\":\"PING\",\"parameters\":{\"a\":[1]}}", 36, "must be a string, a number, a boolean or null")]
    [InlineData("{\"command\":\"PING\",\"service\":\"a/b\"}", 28, "bad service name")]
    [InlineData("{\"command\":\"PING\",\"parameters\":{\"a\":\"\\ud800\"}}", 36, "not a valid JSON string")]
    [InlineData("{\n\"command\":\n\"PING\"\n,,}", 21, "not valid JSON")]
    public void FromJsonRejectsWhatIsNotAMessageWithByteOffset(string json, int position, string reason)
    {
        var ex = Assert.Throws<SdMessageFormatException>(() => SdMessage.FromJson(json));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.True(position == ex.Position, $"<{json}>: expected position {position}, got {ex.Position} ({ex.Reason})");
    }

    [Fact]
    public void FromJsonReportsByteOffsetAfterNonAsciiText()
    {
        // "é" is two bytes in UTF-8, so the error after it is one byte further than its char index.
        var ex = Assert.Throws<SdMessageFormatException>(() => SdMessage.FromJson("{\"x\":\"\u00e9\",\"command\":1}"));
        Assert.Equal(20, ex.Position);
    }
}
