using System.Diagnostics;

namespace SocketDispatcher.Tests.Listening;

/// <summary>The listener under faults: held connections, silent dispatchers, crash loops, stopping, balancing.</summary>
public sealed class SupervisionTests
{
    [Fact]
    public async Task ConnectionHeldWithNoDispatcherIsClosedAndCountedAfterTheHandoffTimeout()
    {
        await using var test = await TestListener.StartAsync(o =>
        {
            o.Dispatchers = 0;
            o.HandoffTimeout = TimeSpan.FromSeconds(1);
        });
        var first = test.StartDispatcherByHand();
        await test.WaitForReadyAsync(1);

        // A stopped dispatcher still gets the connection (the kernel queues the record) but never ACCEPTs it.
        TestListener.Signal(first.Id, "STOP");
        using var client = await test.ConnectAsync();
        await Bounded.Until(() => test.Listener.GetDispatchers().Any(d => d.Pending == 1), "the connection is pending at the stopped dispatcher", test.Describe);
        TestListener.Signal(first.Id, "KILL");

        // Its only dispatcher is gone: the connection is held, then closed (FIN, not RST) and counted.
        Assert.Null(await client.ReadLineAsync().Within());
        Assert.Equal(1, test.Listener.Dropped);
        Assert.Equal(0, test.Listener.Rehanded);

        // Dispatchers started by hand join and leave freely: a new one serves new connections.
        test.StartDispatcherByHand();
        await test.WaitForReadyAsync(1);
        using var next = await test.ConnectAsync();
        Assert.Equal("HI", await next.ReadLineAsync().Within());
    }

    [Fact]
    public async Task QuitWhileASpawnedDispatcherStartsDoesNotWaitTheDrainTimeoutForIt()
    {
        // ready: 0 returns at once, before the spawned dispatcher can have said HELLO.
        await using var test = await TestListener.StartAsync(o => { o.Dispatchers = 1; o.DrainTimeout = TimeSpan.FromSeconds(30); }, ready: 0);
        Assert.Empty(test.ReadyDispatchers());
        var clock = Stopwatch.StartNew();

        await test.Listener.StopAsync(drain: true, "QUIT in the test").Within();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {clock.Elapsed}; the drain timeout is 30 s");
    }

    [Fact]
    public async Task ConnectionsOfADispatcherKilledBeforeAcceptedGoToAnother()
    {
        await using var test = await TestListener.StartAsync(o => o.Dispatchers = 0);
        var first = test.StartDispatcherByHand();
        await test.WaitForReadyAsync(1);
        TestListener.Signal(first.Id, "STOP");
        var clients = new List<TestClient>();
        for (var i = 0; i < 3; i++) clients.Add(await test.ConnectAsync());
        await Bounded.Until(() => test.Listener.GetDispatchers().Sum(d => d.Pending) == 3, "three connections are pending at the stopped dispatcher", test.Describe);

        test.StartDispatcherByHand();
        await test.WaitForReadyAsync(1, d => d.ProcessId != first.Id);
        TestListener.Signal(first.Id, "KILL");
        foreach (var client in clients)
        {
            using (client) Assert.Equal("HI", await client.ReadLineAsync().Within());
        }

        Assert.Equal(3, test.Listener.Rehanded);
        Assert.Equal("3", test.Listener.GetStatus().GetParameter("rehanded"));
    }

    [Fact]
    public async Task DispatcherThatStopsAnsweringAliveIsKilledAndReplaced()
    {
        await using var test = await TestListener.StartAsync(o =>
        {
            o.Dispatchers = 1;
            o.DispatcherTimeout = TimeSpan.FromSeconds(1);
        });
        var victim = test.ReadyDispatchers()[0].ProcessId;
        using var process = Process.GetProcessById(victim);
        TestListener.Signal(victim, "STOP");

        await test.WaitForReadyAsync(1, d => d.ProcessId != victim);
        await process.WaitForExitAsync().Within();
        var replacement = Assert.Single(test.ReadyDispatchers());
        Assert.Equal(1, replacement.Restarts);
        using var client = await test.ConnectAsync();
        Assert.Equal("HI", await client.ReadLineAsync().Within());
    }

    [Fact]
    public async Task DispatcherThatCrashesAtStartElevenTimesMakesTheListenerGiveUp()
    {
        var clock = Stopwatch.StartNew();
        await using var test = await TestListener.StartAsync(o =>
        {
            o.DispatcherProgram = "/bin/false";
            o.MaxRestarts = 10;
            o.RestartWindow = TimeSpan.FromSeconds(60);
        }, ready: 0);

        var failure = await Assert.ThrowsAsync<SdException>(() => test.Listener.Completion.WaitAsync(TimeSpan.FromSeconds(40)));
        Assert.Equal("DispatcherCrashLoop", failure.Reason);
        Assert.Contains("exited 11 times within 60 s", failure.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"gave up after {clock.Elapsed}, past the restart window");
        Assert.Equal(SdListenerState.Stopped, test.Listener.State);
    }

    [Fact]
    public async Task StopDuringTheDrainCutsItShort()
    {
        await using var test = await TestListener.StartAsync(o =>
        {
            o.Dispatchers = 1;
            o.DrainTimeout = TimeSpan.FromSeconds(60);
        });
        using var client = await test.ConnectAsync();
        Assert.Equal("HI", await client.ReadLineAsync().Within());

        var stopped = test.Listener.StopAsync(drain: true, "QUIT from the test");
        await Bounded.Until(() => test.Listener.GetDispatchers().Any(d => d.State == SdDispatcherState.Exiting), "the dispatcher got EXIT", test.Describe);

        // Draining: the open conversation goes on.
        await client.SendLineAsync("DAD");
        Assert.Equal("CLIMB", await client.ReadLineAsync().Within());
        Assert.False(stopped.IsCompleted);

        // STOP: the conversation is closed and the listener stops, long before the 60 s drain.
        _ = test.Listener.StopAsync(drain: false, "STOP from the test");
        await stopped.Within();
        Assert.Null(await client.ReadLineAsync().Within());
    }

    [Fact]
    public async Task LeastLoadedGivesNewConnectionsToTheDispatcherWithFewestOpen()
    {
        await using var test = await TestListener.StartAsync(o => o.Balance = SdBalance.LeastLoaded);
        var clients = new List<(TestClient Client, int Pid)>();
        for (var i = 0; i < 4; i++)
        {
            var client = await test.ConnectAsync();
            Assert.Equal("HI", await client.ReadLineAsync().Within());
            var handoff = await test.Listener.Handoffs.ReadAsync().AsTask().Within();
            clients.Add((client, handoff.DispatcherPid));
        }

        // Two each; then both of the first dispatcher's connections close.
        var first = clients[0].Pid;
        Assert.Equal(2, clients.Count(c => c.Pid == first));
        foreach (var (client, _) in clients.Where(c => c.Pid == first)) client.Dispose();
        // Open and pending: a TCP connection is confirmed up to a millisecond after its conversation
        // started, so Open alone can be 0 while both connections are still pending.
        await Bounded.Until(() => test.Listener.GetDispatchers().Single(d => d.ProcessId == first) is { Open: 0, Pending: 0 }, "the first dispatcher reports both connections CLOSED", test.Describe);

        // Round-robin would alternate; least-loaded sends both new ones to the idle dispatcher.
        for (var i = 0; i < 2; i++)
        {
            using var client = await test.ConnectAsync();
            Assert.Equal("HI", await client.ReadLineAsync().Within());
            Assert.Equal(first, (await test.Listener.Handoffs.ReadAsync().AsTask().Within()).DispatcherPid);
        }

        foreach (var (client, _) in clients) client.Dispose();
    }
}
