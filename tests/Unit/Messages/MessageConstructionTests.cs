namespace SocketDispatcher.Tests.Messages;

/// <summary>The name rules the <see cref="SdMessage"/> constructor enforces (MessageGrammar).</summary>
public class MessageConstructionTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("ping", "'ping'")]
    [InlineData("1PING", "starts with a digit")]
    [InlineData("PI-NG", "'-' is not allowed")]
    [InlineData("PI NG", "' ' is not allowed")]
    [InlineData("PING\n", "'PING\\u000A'")]
    public void ConstructorRejectsCommandOutsideUpperCaseNameRule(string command, string mention)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SdMessage(command));
        Assert.Equal("command", ex.ParamName);
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1a", "'1a'")]
    [InlineData("my-param", "'my-param'")]
    [InlineData("a=b", "'=' is not allowed")]
    [InlineData("caf\u00e9", "'caf\\u00E9'")]
    public void ConstructorRejectsParameterNameOutsideNameRule(string name, string mention)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SdMessage("SET", [KeyValuePair.Create(name, "1")]));
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ConstructorRejectsValueWithLoneSurrogate()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SdMessage("SET", [KeyValuePair.Create("v", "ab\ud800")]));
        Assert.Contains("'v'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my-host", null, null, null, "server", "'my-host'")]
    [InlineData(null, "a/b", null, null, "service", "'a/b'")]
    [InlineData(null, null, "*", null, "sentFromServer", "'*'")]
    [InlineData(null, null, null, "x:y", "sentFromService", "'x:y'")]
    [InlineData(null, "9lives", null, null, "service", "starts with a digit")]
    public void ConstructorRejectsBadAddressNames(string? server, string? service, string? fromServer, string? fromService, string param, string mention)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SdMessage("PING", null, server, service, fromServer, fromService));
        Assert.Equal(param, ex.ParamName);
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".", "*")]
    [InlineData("*", "?")]
    [InlineData("jungle", ".")]
    public void ConstructorAcceptsEventDispatcherSpecialAddressNames(string server, string service)
    {
        var m = new SdMessage("PING", server: server, service: service);
        Assert.Equal($"{server}:{service}/PING", m.ToString());
    }

    [Fact]
    public void ConstructorTreatsEmptyAddressPartsAsAbsentAndNullValuesAsEmpty()
    {
        var m = new SdMessage("PING", [KeyValuePair.Create("a", (string)null!)], "", "", "", "");
        Assert.Null(m.Server);
        Assert.Null(m.Service);
        Assert.Null(m.SentFromServer);
        Assert.Null(m.SentFromService);
        Assert.Equal("", m.GetParameter("a"));
        Assert.Equal("PING a=", m.ToString());
    }

    [Fact]
    public void ConstructorKeepsLastDuplicateParameter()
    {
        var m = new SdMessage("SET", [KeyValuePair.Create("a", "1"), KeyValuePair.Create("a", "2")]);
        Assert.Equal("SET a=2", m.ToString());
    }

    [Fact]
    public void ReplyIsAddressedToTheSenderOfAParsedMessage()
    {
        var reply = SdMessage.Parse("<remote:firewall LOCK").Reply("LOCKED", [KeyValuePair.Create("key", "x")]);
        Assert.Equal("remote:firewall/LOCKED key=x", reply.ToString());
    }
}
