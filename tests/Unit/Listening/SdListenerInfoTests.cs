namespace SocketDispatcher.Tests.Listening;

/// <summary>Reading a listener's STATUS answer into the snapshot Get-SdListener writes.</summary>
public sealed class SdListenerInfoTests
{
    [Fact]
    public async Task StatusOverTheControlSocketReadsBackAsTheListenerSeesItself()
    {
        await using var test = await TestListener.StartAsync(o => o.Dispatchers = 1);
        using (var client = await test.ConnectAsync())
        {
            Assert.Equal("HI", await client.ReadLineAsync().Within());
        }

        var control = test.Listener.ControlEndpoints[0];
        var info = await SdListenerInfo.QueryAsync(control).Within();

        Assert.Equal(test.Listener.Name, info.Name);
        Assert.Equal(Environment.ProcessId, info.ProcessId);
        Assert.Equal(SdListenerState.Running, info.State);
        Assert.Equal(test.Listener.StartedAt, info.StartedAt);
        Assert.Equal(test.Listener.Endpoints, info.Endpoints);
        Assert.Equal(test.Listener.ControlEndpoints, info.ControlEndpoints);
        Assert.Equal(control, info.Control);
        Assert.Equal(test.Listener.Handoff, info.Handoff);
        Assert.Equal(1, info.Accepted);
        Assert.Equal(1, info.Handed);
        Assert.Equal(0, info.Rehanded);
        Assert.Equal(0, info.Dropped);
        var dispatcher = Assert.Single(info.Dispatchers);
        Assert.Equal(test.ReadyDispatchers()[0].ProcessId, dispatcher.ProcessId);
        Assert.Equal(SdDispatcherState.Ready, dispatcher.State);
        Assert.True(dispatcher.Spawned);
        Assert.Equal(1, dispatcher.Handed);
        Assert.NotNull(dispatcher.StartedAt);
    }

    [Fact]
    public async Task EndpointsWithSpacesInTheirPathsReadBack()
    {
        var folder = Directory.CreateTempSubdirectory("sd-with space-").FullName;
        try
        {
            var endpoint = SdEndpoint.ForUnixPath(Path.Combine(folder, "the socket.sock"));
            var control = SdEndpoint.ForUnixPath(Path.Combine(folder, "the control.sock"));
            await using var test = await TestListener.StartAsync(o =>
            {
                o.Dispatchers = 0;
                o.Endpoints.Add(endpoint);
                o.ControlEndpoints.Add(control);
            }, ready: 0);

            var info = await SdListenerInfo.QueryAsync(control).Within();

            Assert.Contains(endpoint, info.Endpoints);
            Assert.Contains(control, info.ControlEndpoints);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AnOlderStatusWithoutControlOrHandoffStillReads()
    {
        var info = SdListenerInfo.FromStatus(SdMessage.Parse(
            "STATUS accepted=5;dispatchers=[];dropped=1;endpoints=tcp://127.0.0.1:3001 tls://[::1]:3002;handed=4;name=web;pid=42;rehanded=2;state=stopping"));

        Assert.Equal("web", info.Name);
        Assert.Equal(42, info.ProcessId);
        Assert.Equal(SdListenerState.Stopping, info.State);
        Assert.Null(info.StartedAt);
        Assert.Equal(["tcp://127.0.0.1:3001", "tls://[::1]:3002"], info.Endpoints.Select(e => e.ToString()));
        Assert.Empty(info.ControlEndpoints);
        Assert.Null(info.Control);
        Assert.Null(info.Handoff);
        Assert.Equal((5, 4, 2, 1), (info.Accepted, info.Handed, info.Rehanded, info.Dropped));
        Assert.Empty(info.Dispatchers);
        Assert.Equal("web (pid 42, stopping)", info.ToString());
    }

    [Fact]
    public async Task StatusWritesTheStatesInLowerCase()
    {
        await using var test = await TestListener.StartAsync(o => o.Dispatchers = 1);

        var status = test.Listener.GetStatus();

        Assert.Equal("running", status.GetParameter("state"));
        Assert.Contains("\"state\":\"ready\"", status.GetParameter("dispatchers"), StringComparison.Ordinal);
    }

    [Fact]
    public void StatesReadInAnyCase()
    {
        var info = SdListenerInfo.FromStatus(SdMessage.Parse(
            "STATUS accepted=0;dispatchers=\"[{\\\"pid\\\":7,\\\"state\\\":\\\"Exiting\\\",\\\"restarts\\\":0,\\\"handed\\\":0,\\\"open\\\":0,\\\"pending\\\":0}]\";dropped=0;handed=0;name=web;pid=42;rehanded=0;state=STOPPED"));

        Assert.Equal(SdListenerState.Stopped, info.State);
        Assert.Equal(SdDispatcherState.Exiting, Assert.Single(info.Dispatchers).State);
        Assert.Equal(7, info.Dispatchers[0].ProcessId);
    }

    [Fact]
    public void TheUnixControlEndpointIsPreferredWhenNoneWasQueried()
    {
        var info = SdListenerInfo.FromStatus(SdMessage.Parse(
            "STATUS accepted=0;control=tcp://127.0.0.1:3009 unix:/run/sd/web/control.sock;dispatchers=[];dropped=0;endpoints=tcp://127.0.0.1:3001;handed=0;name=web;pid=42;rehanded=0;state=running"));

        Assert.Equal("unix:/run/sd/web/control.sock", info.Control?.ToString());
    }

    [Theory]
    [InlineData("ABSOLUTELY serial=1", "expected a STATUS answer, got ABSOLUTELY")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;pid=1;rehanded=0;state=running", "no 'name'")]
    [InlineData("STATUS accepted=many;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=running", "'accepted' is not a number")]
    [InlineData("STATUS accepted=0;dropped=0;endpoints=ftp://x;handed=0;name=a;pid=1;rehanded=0;state=running", "'endpoints' holds 'ftp://x'")]
    [InlineData("STATUS accepted=0;dispatchers=\"[{\\\"pid\\\":1}]\";dropped=0;handed=0;name=a;pid=1;rehanded=0;state=running", "'dispatchers' is not")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=sleeping", "'state' holds the state 'sleeping'")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=1", "'state' holds the state '1'")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=+1", "'state' holds the state '+1'")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=\" 1\"", "'state' holds the state ' 1'")]
    [InlineData("STATUS accepted=0;dropped=0;handed=0;name=a;pid=1;rehanded=0;state=\"running,stopping\"", "'state' holds the state 'running,stopping'")]
    public void WhatIsNotAStatusAnswerIsStatusInvalid(string line, string said)
    {
        var error = Assert.Throws<SdException>(() => SdListenerInfo.FromStatus(SdMessage.Parse(line)));

        Assert.Equal("StatusInvalid", error.Reason);
        Assert.Equal(SdErrorKind.Protocol, error.Kind);
        Assert.Contains(said, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlSocketsAreFoundOnePerRuntimeDirectory()
    {
        var root = Directory.CreateTempSubdirectory("sd-find-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "b"));
            Directory.CreateDirectory(Path.Combine(root, "a"));
            Directory.CreateDirectory(Path.Combine(root, "empty"));
            File.WriteAllText(Path.Combine(root, "b", "control.sock"), string.Empty);
            File.WriteAllText(Path.Combine(root, "a", "control.sock"), string.Empty);

            Assert.Equal(
                [$"unix:{root}/a/control.sock", $"unix:{root}/b/control.sock"],
                SdListenerInfo.FindControlSockets(root).Select(e => e.ToString()));
            Assert.Empty(SdListenerInfo.FindControlSockets(Path.Combine(root, "missing")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
