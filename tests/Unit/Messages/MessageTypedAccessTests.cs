using System.Net;

namespace SocketDispatcher.Tests.Messages;

public sealed class MessageTypedAccessTests
{
    private static readonly SdMessage Fire = SdMessage.Parse("FIRE correct=false;length=-35;name=Charles;range=+101;valid=true;void=;big=9223372036854775807;delay=1.5;wait=250ms;at=1700000000.123456789;v4=127.0.0.1:4040;v6=[::1]:4041;bare=10.0.0.1;yes=YES;one=1");

    [Fact]
    public void IntegersReadSignsAsEventdispatcherWritesThem()
    {
        Assert.Equal(-35, Fire.GetInt64("length"));
        Assert.Equal(101, Fire.GetInt32("range"));
        Assert.Equal(long.MaxValue, Fire.GetInt64("big"));
        Assert.Equal(7, Fire.GetInt64("absent", 7));
    }

    [Fact]
    public void BooleansReadTrueFalseAndTheUsualSpellings()
    {
        Assert.True(Fire.GetBoolean("valid"));
        Assert.False(Fire.GetBoolean("correct"));
        Assert.True(Fire.GetBoolean("yes"));
        Assert.True(Fire.GetBoolean("one"));
        Assert.True(Fire.GetBoolean("absent", true));
    }

    [Fact]
    public void TimeSpansReadSecondsAndUnits()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Fire.GetTimeSpan("delay"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), Fire.GetTimeSpan("wait"));
        Assert.Equal(TimeSpan.FromSeconds(3), Fire.GetTimeSpan("absent", TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void TimestampsReadUnixSecondsToTheTick()
    {
        var expected = DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567);
        Assert.Equal(expected, Fire.GetTimestamp("at"));
    }

    [Fact]
    public void TheRouterTimestampReadsBack()
    {
        var now = new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567);
        var message = new SdMessage("ABSOLUTELY", [new("reply_timestamp", SdMessageRouter.UnixTimestamp(now))]);
        Assert.Equal(now, message.GetTimestamp("reply_timestamp"));
    }

    [Fact]
    public void EndPointsReadIPv4AndIPv6WithPorts()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 4040), Fire.GetEndPoint("v4"));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 4041), Fire.GetEndPoint("v6"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 4042), Fire.GetEndPoint("bare", defaultPort: 4042));
    }

    [Fact]
    public void AMissingParameterNamesTheCommandAndTheParameter()
    {
        var ex = Assert.Throws<SdException>(() => Fire.GetInt64("power"));
        Assert.Equal(SdErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("ParameterMissing", ex.Reason);
        Assert.Equal("FIRE: parameter 'power' is missing", ex.Message);
    }

    [Theory]
    [InlineData("name", "GetInt64", "FIRE: parameter name='Charles' is not an integer such as -35 or +101")]
    [InlineData("name", "GetInt32", "FIRE: parameter name='Charles' is not an integer such as -35 or +101")]
    [InlineData("big", "GetInt32", "FIRE: parameter big='9223372036854775807' is not an integer from -2147483648 to 2147483647")]
    [InlineData("void", "GetInt64", "FIRE: parameter void='' is not an integer such as -35 or +101")]
    [InlineData("name", "GetBoolean", "FIRE: parameter name='Charles' is not a boolean: true/false, yes/no, on/off or 1/0")]
    [InlineData("length", "GetTimeSpan", "FIRE: parameter length='-35' is not a time span: seconds such as 1.5, or 250ms, 10s, 5m, 1h")]
    [InlineData("bare", "GetEndPoint", "FIRE: parameter bare='10.0.0.1' is not an address such as 127.0.0.1:4040 or [::1]:4040")]
    [InlineData("name", "GetTimestamp", "FIRE: parameter name='Charles' is not Unix time in seconds such as 1700000000.123456789")]
    public void ABadValueIsOneLineNamingTheValueAndTheExpectedForm(string name, string getter, string expected)
    {
        Action read = getter switch
        {
            "GetInt64" => () => Fire.GetInt64(name),
            "GetInt32" => () => Fire.GetInt32(name),
            "GetBoolean" => () => Fire.GetBoolean(name),
            "GetTimeSpan" => () => Fire.GetTimeSpan(name),
            "GetEndPoint" => () => Fire.GetEndPoint(name),
            _ => () => Fire.GetTimestamp(name),
        };
        var ex = Assert.Throws<SdException>(read);
        Assert.Equal("ParameterInvalid", ex.Reason);
        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void ABadValueStillFailsWhenADefaultIsGiven()
    {
        Assert.Equal("ParameterInvalid", Assert.Throws<SdException>(() => Fire.GetInt64("name", 1)).Reason);
    }

    [Fact]
    public void AControlCharacterInABadValueKeepsTheErrorOnOneLine()
    {
        var message = new SdMessage("SET", [new("n", "1\n2")]);
        var ex = Assert.Throws<SdException>(() => message.GetInt64("n"));
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReplyAddressesTheSenderAsReplyToDoes()
    {
        var reply = SdMessage.Parse("<remote:firewall jungle:watchdog/CONNECT version=1").Reply("CONNECTED", [new("ok", "true")]);
        Assert.Equal("remote:firewall/CONNECTED ok=true", reply.ToString());
    }
}
