namespace SocketDispatcher.Tests;

public sealed class SdDurationTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("10s", 10_000)]
    [InlineData("10", 10_000)]
    [InlineData(" 1.5s ", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("5min", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void ParseAndTryParseReadTheSameDuration(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), SdDuration.Parse(text));
        Assert.True(SdDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("10d")]
    [InlineData("-5s")]
    [InlineData("1.2.3s")]
    [InlineData("99999999999999999999h")]
    public void TryParseRefusesWhatParseReportsAsDurationInvalid(string text)
    {
        Assert.False(SdDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
        var ex = Assert.Throws<SdException>(() => SdDuration.Parse(text));
        Assert.Equal("DurationInvalid", ex.Reason);
    }

    [Fact]
    public void TryParseRefusesNull() => Assert.False(SdDuration.TryParse(null, out _));
}
