using Microsoft.Extensions.Logging.Abstractions;

namespace SocketDispatcher.Tests.Listening;

/// <summary>A drain timeout the listener could not wait for is refused at start, with one line that says the range, and nothing is bound.</summary>
public sealed class ListenerOptionsValidationTests
{
    [Theory]
    [InlineData(-1.0)]
    [InlineData(50.0 * 24 * 3600)] // past the 49 days a timer can wait (2^32 - 2 ms) with the 5 s of grace
    public async Task ADrainTimeoutOutOfRangeIsRefusedAtStart(double seconds)
    {
        var options = new SdListenerOptions { DrainTimeout = TimeSpan.FromSeconds(seconds), Dispatchers = 0 };
        options.Endpoints.Add(SdEndpoint.Parse("tcp://127.0.0.1:0"));

        var error = await Assert.ThrowsAsync<SdException>(() => SdListener.StartAsync(options, NullLoggerFactory.Instance).Within());

        Assert.Equal("DrainTimeoutInvalid", error.Reason);
        Assert.Contains("from 0 to 49 days", error.Message);
    }
}
