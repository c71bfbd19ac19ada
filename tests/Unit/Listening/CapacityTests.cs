namespace SocketDispatcher.Tests.Listening;

/// <summary>Backpressure: a listener accepts only what its dispatchers can hold open; the rest wait in the kernel backlog.</summary>
public sealed class CapacityTests
{
    [Fact]
    public async Task OneDispatcherOfCapacityTenServesFiftyHeldConnectionsTenAtATime()
    {
        await using var test = await TestListener.StartAsync(o =>
        {
            o.Dispatchers = 1;
            o.Capacity = 10;
        });
        var clients = new List<TestClient>();
        var greetings = new List<Task<string?>>();
        try
        {
            // 50 clients connect: the kernel completes every handshake (backlog 511), the listener accepts 10.
            for (var i = 0; i < 50; i++)
            {
                var client = await test.ConnectAsync();
                clients.Add(client);
                greetings.Add(client.ReadLineAsync());
            }

            var served = new List<int>();
            await WaitForGreetingsAsync(greetings, served, 10);

            // A STATUS round trip through the control socket: the listener had every chance to accept more.
            var status = await SdSignal.SendAsync(test.Listener.ControlEndpoints[0], new SdMessage("STATUS"), new SdSignalOptions { WaitForReply = true }, null).Within();
            Assert.Equal("10", status!.GetParameter("accepted"));
            Assert.Equal(10, test.Listener.Accepted);
            Assert.Equal(10, greetings.Count(g => g.IsCompleted));
            var dispatcher = Assert.Single(test.Listener.GetDispatchers());
            Assert.Equal(10, dispatcher.Open + dispatcher.Pending);

            // A TCP connection is confirmed (ACCEPTED) once its conversation started, with others: soon, not at once.
            await Bounded.Until(() => test.Listener.GetDispatchers().Single().Open == 10, "the dispatcher confirmed its 10 connections", test.Describe);

            // Each close lets exactly one more in, until all 50 were served.
            for (var closed = 1; closed <= 40; closed++)
            {
                clients[served[closed - 1]].Dispose();
                await WaitForGreetingsAsync(greetings, served, 10 + closed);
                Assert.True(test.Listener.Accepted <= 10 + closed, $"accepted {test.Listener.Accepted} after {closed} closed");
            }

            Assert.Equal(50, test.Listener.Accepted);
            Assert.All(greetings, g => Assert.Equal("HI", g.Result));
            Assert.Equal(0, test.Listener.Dropped);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    /// <summary>Waits until <paramref name="count"/> clients have their HI (a reset or EOF fails the test), noting who, in order.</summary>
    private static async Task WaitForGreetingsAsync(List<Task<string?>> greetings, List<int> served, int count)
    {
        await Bounded.Until(() => greetings.Count(g => g.IsCompleted) >= count, $"{count} clients got HI", () => $"{greetings.Count(g => g.IsCompleted)} did");
        for (var i = 0; i < greetings.Count; i++)
        {
            if (!greetings[i].IsCompleted || served.Contains(i)) continue;
            Assert.Equal("HI", await greetings[i]);
            served.Add(i);
        }

        Assert.Equal(count, served.Count);
    }
}
