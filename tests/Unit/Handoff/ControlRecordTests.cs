using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>
/// HELLO, CONFIG, ALIVE, ABSOLUTELY, EXIT, QUIT and LOG: each reads back what it writes, writes the bytes
/// the processes of this version exchange (the messages built before the record types), and refuses a
/// malformed record with a one-line reason.
/// </summary>
public sealed class ControlRecordTests
{
    [Fact]
    public void HelloRecordReadsBackWhatItWritesAsBefore()
    {
        var text = new HelloRecord(42, 10).Write();

        Assert.Equal("HELLO capacity=10;pid=42", text);
        Assert.Equal(new SdMessage("HELLO", [new("pid", "42"), new("capacity", "10")]).ToString(), text);
        Assert.True(HelloRecord.TryRead(SdMessage.Parse(text), out var read, out var error), error);
        Assert.Equal(new HelloRecord(42, 10), read);
    }

    [Theory]
    [InlineData("HELLO", null, null)]
    [InlineData("HELLO pid=42", 42, null)]
    [InlineData("HELLO capacity=10", null, 10)]
    public void HelloRecordMayLeaveOutItsPidAndCapacity(string text, int? pid, int? capacity)
    {
        Assert.True(HelloRecord.TryRead(SdMessage.Parse(text), out var read, out var error), error);
        Assert.Equal(new HelloRecord(pid, capacity), read);
        Assert.Equal(text, read.Write());
    }

    [Theory]
    [InlineData("HELLO capacity=0;pid=42", "HELLO: 'capacity' is not a whole number >= 1: '0'")]
    [InlineData("HELLO capacity=ten;pid=42", "HELLO: 'capacity' is not a whole number >= 1: 'ten'")]
    [InlineData("HELLO capacity=10;pid=4294967296", "HELLO: 'pid' is too large: 4294967296")]
    [InlineData("HELLO capacity=1.5;pid=42", "HELLO: 'capacity' is not a whole number >= 1: '1.5'")]
    [InlineData("HELLO capacity=10;pid=+42", "HELLO: 'pid' is not a whole number >= 1: '+42'")]
    [InlineData("HELLO capacity=10;pid=0", "HELLO: 'pid' is not a whole number >= 1: '0'")]
    [InlineData("HELLO capacity=10;pid=-1", "HELLO: 'pid' is not a whole number >= 1: '-1'")]
    [InlineData("HELLO capacity=2147483648;pid=42", "HELLO: 'capacity' is too large: 2147483648")]
    [InlineData("CONFIG max_line=1", "expected HELLO, got 'CONFIG'")]
    public void MalformedHelloRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(HelloRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData(65536, null, null, null)]
    [InlineData(1024, "/etc/sd/server.pem", null, null)]
    [InlineData(1024, "/etc/sd/server.crt", "/etc/sd/server key;1.pem", "/etc/sd/clients.pem")]
    public void ConfigRecordReadsBackWhatItWritesAsBefore(int maxLine, string? cert, string? key, string? ca)
    {
        var before = new List<KeyValuePair<string, string>> { new("max_line", maxLine.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (cert is not null) before.Add(new("cert", cert));
        if (key is not null) before.Add(new("key", key));
        if (ca is not null) before.Add(new("client_ca", ca));
        var record = new ConfigRecord(maxLine, cert, key, ca);

        var text = record.Write();

        Assert.Equal(new SdMessage("CONFIG", before).ToString(), text);
        Assert.True(ConfigRecord.TryRead(SdMessage.Parse(text), out var read, out var error), error);
        Assert.Equal(record, read);
    }

    [Theory]
    [InlineData("CONFIG cert=/a.pem", "CONFIG without 'max_line'")]
    [InlineData("CONFIG max_line=-1", "CONFIG: 'max_line' is not a whole number >= 1: '-1'")]
    [InlineData("CONFIG max_line=64k", "CONFIG: 'max_line' is not a whole number >= 1: '64k'")]
    [InlineData("CONFIG max_line=+10", "CONFIG: 'max_line' is not a whole number >= 1: '+10'")]
    [InlineData("CONFIG max_line=0", "CONFIG: 'max_line' is not a whole number >= 1: '0'")]
    [InlineData("CONFIG max_line=2147483648", "CONFIG: 'max_line' is too large: 2147483648")]
    [InlineData("HELLO capacity=1;pid=1", "expected CONFIG, got 'HELLO'")]
    public void MalformedConfigRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(ConfigRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void EmptyPathsOfAConfigRecordAreNoPaths()
    {
        Assert.True(ConfigRecord.TryRead(SdMessage.Parse("CONFIG cert=;client_ca=;key=;max_line=10"), out var read, out _));
        Assert.Equal(new ConfigRecord(10), read);
    }

    [Theory]
    [InlineData(1L, null)]
    [InlineData(long.MaxValue, "1767225600.123456")]
    public void AliveAndAbsolutelyReadBackWhatTheyWriteAsBefore(long serial, string? timestamp)
    {
        var alive = new AliveRecord(serial, timestamp);
        var aliveText = alive.Write();
        var before = new List<KeyValuePair<string, string>> { new("serial", serial.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (timestamp is not null) before.Add(new("timestamp", timestamp));
        Assert.Equal(new SdMessage("ALIVE", before).ToString(), aliveText);
        Assert.True(AliveRecord.TryRead(SdMessage.Parse(aliveText), out var readAlive, out var error), error);
        Assert.Equal(alive, readAlive);

        // The answer echoes serial and timestamp, as the dispatcher's reply to the parsed ALIVE did.
        var answer = readAlive.Answer().Write();
        var parsed = SdMessage.Parse(aliveText);
        Assert.Equal(parsed.Reply("ABSOLUTELY", parsed.Parameters.Where(p => p.Key is "serial" or "timestamp")).ToString(), answer);
        Assert.True(AbsolutelyRecord.TryRead(SdMessage.Parse(answer), out var readAnswer, out error), error);
        Assert.Equal(new AbsolutelyRecord(serial, timestamp), readAnswer);
    }

    [Theory]
    [InlineData("ALIVE", "ALIVE without 'serial'")]
    [InlineData("ALIVE serial=x", "ALIVE: 'serial' is not a whole number >= 0: 'x'")]
    [InlineData("ALIVE serial=-3", "ALIVE: 'serial' is not a whole number >= 0: '-3'")]
    [InlineData("ALIVE serial=99999999999999999999", "ALIVE: 'serial' is not a whole number >= 0: '99999999999999999999'")]
    [InlineData("ABSOLUTELY serial=1", "expected ALIVE, got 'ABSOLUTELY'")]
    public void MalformedAliveRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(AliveRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("ABSOLUTELY", "ABSOLUTELY without 'serial'")]
    [InlineData("ABSOLUTELY serial=", "ABSOLUTELY: 'serial' is not a whole number >= 0: ''")]
    [InlineData("ALIVE serial=1", "expected ABSOLUTELY, got 'ALIVE'")]
    public void MalformedAbsolutelyRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(AbsolutelyRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData(0L, "EXIT drain=0")]
    [InlineData(30_000L, "EXIT drain=30000")]
    public void ExitRecordReadsBackWhatItWritesAsBefore(long ms, string expected)
    {
        var exit = new ExitRecord(TimeSpan.FromMilliseconds(ms));

        Assert.Equal(expected, exit.Write());
        Assert.True(ExitRecord.TryRead(SdMessage.Parse(exit.Write()), out var read, out var error), error);
        Assert.Equal(exit, read);
        Assert.Equal(ms == 0, read.IsImmediate);
    }

    [Fact]
    public void ExitRecordWritesWholeMillisecondsRoundedDown()
        => Assert.Equal("EXIT drain=1500", new ExitRecord(TimeSpan.FromTicks(15_009_999)).Write());

    [Theory]
    [InlineData("EXIT", "EXIT without 'drain'")]
    [InlineData("EXIT drain=-1", "EXIT: 'drain' is not a whole number >= 0: '-1'")]
    [InlineData("EXIT drain=1s", "EXIT: 'drain' is not a whole number >= 0: '1s'")]
    [InlineData("EXIT drain=9223372036854775807", "EXIT: 'drain' is too large: 9223372036854775807")]
    [InlineData("EXIT drain=4294967295", "EXIT: 'drain' is too large: 4294967295")]
    [InlineData("QUIT", "expected EXIT, got 'QUIT'")]
    public void MalformedExitRecordIsRefusedWithItsReason(string text, string reason)
    {
        Assert.False(ExitRecord.TryRead(SdMessage.Parse(text), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("a handler asked; really\n")]
    [InlineData("")]
    [InlineData(null)]
    public void QuitRecordReadsBackWhatItWritesAsBefore(string? reason)
    {
        var quit = new QuitRecord(reason);

        var expected = reason is null ? new SdMessage("QUIT") : new SdMessage("QUIT", [new("reason", reason)]);
        Assert.Equal(expected.ToString(), quit.Write());
        Assert.True(QuitRecord.TryRead(SdMessage.Parse(quit.Write()), out var read, out var error), error);
        Assert.Equal(quit, read);
        Assert.False(QuitRecord.TryRead(SdMessage.Parse("EXIT drain=0"), out _, out error));
        Assert.Equal("expected QUIT, got 'EXIT'", error);
    }

    [Fact]
    public void LogRecordIsItsCommandAlone()
    {
        Assert.Equal(new SdMessage("LOG").ToString(), new LogRecord().Write());
        Assert.True(LogRecord.TryRead(SdMessage.Parse("LOG"), out _, out var error), error);
        Assert.False(LogRecord.TryRead(SdMessage.Parse("LOG_ROTATE"), out _, out error));
        Assert.Equal("expected LOG, got 'LOG_ROTATE'", error);
    }
}
