namespace SocketDispatcher.Tests.Messages;

/// <summary>The reading vectors of the message format (a line and the message or the error it gives), row by row, plus eventdispatcher's other rules.</summary>
public class MessageReadingTests
{
    [Fact]
    public void ParseReadsServerServiceAndCommand()
    {
        var m = SdMessage.Parse("snap:cluckd/STOP");
        Assert.Equal("snap", m.Server);
        Assert.Equal("cluckd", m.Service);
        Assert.Equal("STOP", m.Command);
        Assert.Empty(m.Parameters);
    }

    [Fact]
    public void ParseIgnoresSurroundingWhiteSpaceAndTelnetCarriageReturn()
    {
        var m = SdMessage.Parse("  HELP \r\n");
        Assert.Equal("HELP", m.Command);
        Assert.Null(m.Server);
        Assert.Null(m.Service);
        Assert.Empty(m.Parameters);
    }

    [Fact]
    public void ParseReadsEmptyAndPlainValues()
    {
        var m = SdMessage.Parse("PING a=1;b=;c=x");
        Assert.Equal("1", m.GetParameter("a"));
        Assert.Equal("", m.GetParameter("b"));
        Assert.Equal("x", m.GetParameter("c"));
        Assert.Equal(3, m.Parameters.Count);
    }

    [Fact]
    public void ParseAllowsTrailingSemicolon()
    {
        var m = SdMessage.Parse("PING a=1;");
        Assert.Equal("1", m.GetParameter("a"));
        Assert.Single(m.Parameters);
    }

    [Fact]
    public void ParseKeepsLastDuplicateParameter()
    {
        var m = SdMessage.Parse("CMD a=1;a=2");
        Assert.Equal("2", m.GetParameter("a"));
        Assert.Single(m.Parameters);
    }

    [Fact]
    public void ParseKeepsSpaceInsideUnquotedValue()
    {
        Assert.Equal("a b", SdMessage.Parse("CMD x=a b").GetParameter("x"));
    }

    [Theory]
    [InlineData("PING a=1;;b=2", 9, "empty parameter")]
    [InlineData("PING 1a=1", 5, "starts with a digit")]
    [InlineData("PING my-param=1", 7, "'-' is not allowed in a parameter name")]
    [InlineData("PING a", 6, "without '='")]
    [InlineData("PING =1", 5, "empty parameter name")]
    [InlineData("a:b:C", 3, "second ':'")]
    [InlineData("/CMD", 0, "empty service")]
    [InlineData("PING a=\"x", 7, "unterminated quoted value")]
    [InlineData("PING a=\"q\"x", 10, "text after a closing quote")]
    public void ParseRejectsEveryErrorRowOfTheVectors(string line, int position, string reason)
        => AssertRejected(line, position, reason);

    [Theory]
    [InlineData("", 0, "empty message")]
    [InlineData(" \t\r\n", 0, "empty message")]
    [InlineData("cluckd/", 7, "missing command")]
    [InlineData("snap:cluckd/ a=1", 12, "missing command")]
    [InlineData("PI-NG", 2, "bad command")]
    [InlineData("1PING", 0, "bad command")]
    [InlineData("PING\ta=1", 4, "bad command")]
    [InlineData("PING  a=1", 5, "' ' is not allowed in a parameter name")]
    [InlineData("PING ;", 5, "empty parameter")]
    [InlineData("PING a;b=1", 6, "without '='")]
    [InlineData(":CMD", 0, "empty server")]
    [InlineData("a/b/CMD", 3, "second '/'")]
    [InlineData("a/b:CMD", 3, "':' after the service")]
    [InlineData("a:/CMD", 2, "empty service")]
    [InlineData("my-host:svc/CMD", 2, "bad server name")]
    [InlineData("svc.x/CMD", 3, "bad service name")]
    [InlineData("<srv", 4, "without ':'")]
    [InlineData("<srv:svc", 8, "without a command")]
    [InlineData("<s v:svc CMD", 2, "space in the sent-from server")]
    [InlineData("<s:a:b CMD", 4, "bad sent-from service name")]
    [InlineData("PING a=\"x\\\"", 7, "unterminated quoted value")]
    [InlineData("PING a=\"x\" ;b=1", 10, "text after a closing quote")]
    [InlineData("  PING a", 8, "without '='")]
    public void ParseRejectsWhatEventDispatcherRejects(string line, int position, string reason)
        => AssertRejected(line, position, reason);

    [Fact]
    public void ParseRejectsLoneSurrogate()
    {
        // Not an InlineData row: test discovery would turn the lone surrogate into U+FFFD.
        AssertRejected("PING a=x\ud800", 8, "lone surrogate");
        AssertRejected("PING a=\udc00x", 7, "lone surrogate");
        Assert.Equal("\ud83d\ude00", SdMessage.Parse("PING a=\ud83d\ude00").GetParameter("a"));
    }

    [Theory]
    [InlineData("PING a=\"a;b\\\\\"", "a;b\\")]
    [InlineData("PING a=x\\", "x\\")]
    [InlineData("PING a=\\t\\q", "\\t\\q")]
    [InlineData("PING a=\\\"", "\\\"")]
    [InlineData("PING a=\"\\\"\"", "\"")]
    [InlineData("PING a=\"\\t\"", "\\t")]
    [InlineData("PING a=\\\\n", "\\n")]
    [InlineData("PING a=\\n\\r\\\\", "\n\r\\")]
    [InlineData("PING a=\"\"", "")]
    [InlineData("PING a=\"x\";b=1", "x")]
    [InlineData("PING a=\"x\" ", "x")]
    [InlineData("PING a=mid\"quote", "mid\"quote")]
    [InlineData("PING a==", "=")]
    public void ParseUnescapesValuesLeftToRightAndKeepsUnknownEscapes(string line, string expected)
    {
        Assert.Equal(expected, SdMessage.Parse(line).GetParameter("a"));
    }

    [Fact]
    public void ParseAcceptsLowerCaseCommandAsEventDispatcherDoes()
    {
        var m = SdMessage.Parse("ping");
        Assert.Equal("ping", m.Command);
        Assert.Equal("ping", m.ToString());
    }

    [Fact]
    public void ParseReadsSentFromPrefixWithEitherSideEmpty()
    {
        var both = SdMessage.Parse("<remote:firewall jungle:watchdog/CONNECT version=1");
        Assert.Equal(("remote", "firewall", "jungle", "watchdog"), (both.SentFromServer, both.SentFromService, both.Server, both.Service));
        var noServer = SdMessage.Parse("<:firewall PING");
        Assert.Null(noServer.SentFromServer);
        Assert.Equal("firewall", noServer.SentFromService);
        var noService = SdMessage.Parse("<remote: PING");
        Assert.Equal("remote", noService.SentFromServer);
        Assert.Null(noService.SentFromService);
    }

    [Fact]
    public void ParseAcceptsServerWithoutServiceAsEventDispatcherDoes()
    {
        var m = SdMessage.Parse("jungle:STOP");
        Assert.Equal("jungle", m.Server);
        Assert.Null(m.Service);
        Assert.Equal("STOP", m.Command);
    }

    [Theory]
    [InlineData("*:*/PING")]
    [InlineData(".:./PING")]
    [InlineData("?/PING")]
    public void ParseAcceptsEventDispatcherSpecialAddressNames(string line)
    {
        Assert.Equal(line, SdMessage.Parse(line).ToString());
    }

    [Fact]
    public void ParseReportsPositionAndReasonInExceptionMessage()
    {
        var ex = Assert.Throws<SdMessageFormatException>(() => SdMessage.Parse("PING a"));
        Assert.Equal("at position 6: parameter 'a' without '='", ex.Message);
    }

    [Fact]
    public void TryParseReturnsErrorInsteadOfThrowing()
    {
        Assert.False(SdMessage.TryParse("PING 1a=1", out var message, out var error));
        Assert.Null(message);
        Assert.Equal(5, error!.Position);
        Assert.True(SdMessage.TryParse("PING a=1", out message, out error));
        Assert.Null(error);
        Assert.Equal("1", message!.GetParameter("a"));
    }

    [Fact]
    public void TryParseThrowsNothingOnLinesAPeerGetsWrong()
    {
        // A peer's bad line is answered, not exceptional: the try path must build its error, never throw it.
        string[] bad = ["", "PING a", "PING 1a=1", "<a PING", "a:b:c/PING", "PING a=\"x", "PING a=\"x\"y", "P-NG", "PING a=\ud800"];
        var thread = Environment.CurrentManagedThreadId;
        var thrown = new List<Exception>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread) thrown.Add(e.Exception);
        }

        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            foreach (var line in bad)
            {
                Assert.False(SdMessage.TryParse(line, out _, out var error));
                if (!line.Contains('\ud800', StringComparison.Ordinal)) Assert.False(SdMessage.TryParseDatagram(System.Text.Encoding.UTF8.GetBytes(line), out _, out _));
                Assert.NotNull(error);
            }

            byte[] badUtf8 = [(byte)'S', (byte)'E', (byte)'T', (byte)' ', (byte)'v', (byte)'=', 0xC3, 0x28];
            Assert.False(SdMessage.TryParseDatagram(badUtf8, out _, out var datagramError));
            Assert.Equal(6, datagramError.Position);
            var decoded = SocketDispatcher.Connections.LineReader.Decode(new System.Buffers.ReadOnlySequence<byte>(badUtf8));
            Assert.Null(decoded.Message);
            Assert.Equal(6, decoded.Error!.Position);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        Assert.Empty(thrown);
    }

    private static void AssertRejected(string line, int position, string reason)
    {
        var ex = Assert.Throws<SdMessageFormatException>(() => SdMessage.Parse(line));
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
        Assert.True(position == ex.Position, $"<{line}>: expected position {position}, got {ex.Position} ({ex.Reason})");

        // The try form is the core and Parse its wrapper: both must tell the same position and reason.
        Assert.False(SdMessage.TryParse(line, out var message, out var error));
        Assert.Null(message);
        Assert.Equal(ex.Position, error.Position);
        Assert.Equal(ex.Reason, error.Reason);
    }
}
