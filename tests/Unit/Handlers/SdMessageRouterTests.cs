using System.Text.RegularExpressions;
using SocketDispatcher.Connections;

namespace SocketDispatcher.Tests.Handlers;

public sealed class SdMessageRouterTests
{
    private static SdMessageHandler Answer(string command) => (session, message, ct) => session.SendAsync(message.Reply(command), ct);

    private static async Task<string[]> RouteAsync(SdMessageRouter router, params string[] lines)
    {
        var session = new RecordingSession();
        foreach (var line in lines)
        {
            var result = SdMessage.TryParse(line, out var message, out var error)
                ? new LineResult(line, message, null)
                : new LineResult(line, null, error);
            await router.RouteAsync(session, result, CancellationToken.None).Within();
        }

        return session.SentLines();
    }

    [Fact]
    public async Task ExactRouteTakesItsCommand()
    {
        var router = new SdMessageRouter().Map("DAD", Answer("CLIMB"));
        Assert.Equal(["CLIMB"], await RouteAsync(router, "DAD"));
    }

    [Fact]
    public async Task RegexRouteMatchesTheWholeCommand()
    {
        var router = new SdMessageRouter().Map(new Regex("GET_[A-Z]+"), Answer("GOT"));
        Assert.Equal(["GOT", "UNKNOWN command=XGET_A"], await RouteAsync(router, "GET_NAME", "XGET_A"));
    }

    [Fact]
    public async Task CatchAllTakesWhatNoRouteTakesButNotTheBuiltIns()
    {
        var router = new SdMessageRouter().Map("DAD", Answer("CLIMB")).MapFallback(Answer("CAUGHT"));
        var sent = await RouteAsync(router, "DAD", "JUMP", "HELP");
        Assert.Equal(["CLIMB", "CAUGHT", "COMMANDS list=ALIVE,DAD,HELP"], sent);
    }

    [Fact]
    public async Task LowerPriorityRunsFirst()
    {
        var router = new SdMessageRouter()
            .Map(new Regex("D.D"), Answer("LATE"), priority: 200)
            .Map(new Regex("DA."), Answer("EARLY"), priority: 10);
        Assert.Equal(["EARLY"], await RouteAsync(router, "DAD"));
    }

    [Fact]
    public async Task EqualPrioritiesRunInTheOrderAdded()
    {
        var router = new SdMessageRouter()
            .Map(new Regex("DA."), Answer("FIRST"))
            .Map(new Regex("D.D"), Answer("SECOND"));
        Assert.Equal(["FIRST"], await RouteAsync(router, "DAD"));
    }

    [Fact]
    public async Task SeveralObserversSeeOneMessageBeforeTheRouteThatTakesIt()
    {
        var seen = new List<string>();
        var router = new SdMessageRouter()
            .Map("DAD", Answer("CLIMB"))
            .Observe("DAD", (_, m, _) => { seen.Add("first " + m.Command); return ValueTask.CompletedTask; }, priority: 1)
            .Observe(new Regex(".*"), (_, m, _) => { seen.Add("all " + m.Command); return ValueTask.CompletedTask; }, priority: 2);
        Assert.Equal(["CLIMB"], await RouteAsync(router, "DAD"));
        Assert.Equal(["first DAD", "all DAD"], seen);
    }

    [Fact]
    public async Task AnObservedMessageThatNoRouteTakesIsStillUnknown()
    {
        var seen = 0;
        var router = new SdMessageRouter().ObserveAll((_, _, _) => { seen++; return ValueTask.CompletedTask; });
        Assert.Equal(["UNKNOWN command=JUMP"], await RouteAsync(router, "JUMP"));
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task ALaterMapOfTheSameCommandReplacesTheEarlierOne()
    {
        var router = new SdMessageRouter().Map("DAD", Answer("ONE")).Map("DAD", Answer("TWO"));
        Assert.Equal(["TWO"], await RouteAsync(router, "DAD"));
    }

    [Fact]
    public async Task AnExactRouteReplacesABuiltIn()
    {
        var router = new SdMessageRouter().Map("HELP", Answer("NO_HELP"));
        Assert.Equal(["NO_HELP"], await RouteAsync(router, "HELP"));
    }

    [Fact]
    public async Task HelpListsExactRoutesHooksBuiltInsAndDeclaredRegexCommandsSorted()
    {
        var router = new SdMessageRouter()
            .Map("TOP", Answer("WHO"))
            .Map(new Regex("GET_.*"), Answer("GOT"), helpCommands: ["GET_NAME"])
            .Map("DAD", Answer("CLIMB"))
            .Observe("OBSERVED", (_, _, _) => ValueTask.CompletedTask)
            .OnStop((_, _, _) => ValueTask.CompletedTask)
            .OnLogRotate((_, _, _) => ValueTask.CompletedTask)
            .OnReady((_, _, _) => ValueTask.CompletedTask)
            .OnRestart((_, _, _) => ValueTask.CompletedTask);
        Assert.Equal(
            ["COMMANDS list=ALIVE,DAD,GET_NAME,HELP,LOG,LOG_ROTATE,QUIT,READY,RESTART,STOP,TOP"],
            await RouteAsync(router, "HELP"));
    }

    [Fact]
    public async Task HooksTakeTheirCommands()
    {
        var taken = new List<string>();
        SdMessageHandler record = (_, m, _) => { taken.Add(m.Command); return ValueTask.CompletedTask; };
        var router = new SdMessageRouter().OnStop(record).OnLogRotate(record).OnReady(record).OnRestart(record);
        var sent = await RouteAsync(router, "STOP", "QUIT", "LOG", "LOG_ROTATE", "READY", "RESTART");
        Assert.Empty(sent);
        Assert.Equal(["STOP", "QUIT", "LOG", "LOG_ROTATE", "READY", "RESTART"], taken);
    }

    [Fact]
    public async Task AliveIsAnsweredWithSerialTimestampAndReplyTimestamp()
    {
        var sent = await RouteAsync(new SdMessageRouter(), "<peer:svc ALIVE serial=7;timestamp=1700000000.5;other=x");
        Assert.Single(sent);
        Assert.Matches(@"^peer:svc/ABSOLUTELY reply_timestamp=\d+\.\d{9};serial=7;timestamp=1700000000\.5$", sent[0]);
    }

    [Fact]
    public async Task ReceivedUnknownAndInvalidAreNotAnswered()
    {
        Assert.Empty(await RouteAsync(new SdMessageRouter(), "UNKNOWN command=X", "INVALID command=Y;message=z"));
    }

    [Fact]
    public async Task AnUnparsableLineIsAnsweredInvalidAndRoutingGoesOn()
    {
        var router = new SdMessageRouter().Map("DAD", Answer("CLIMB"));
        var sent = await RouteAsync(router, "PING a", "DAD");
        Assert.Equal(2, sent.Length);
        Assert.Matches(@"^INVALID command=PING;message=at position \d+: .*=", sent[0]);
        Assert.Equal("CLIMB", sent[1]);
    }

    [Fact]
    public async Task AHandlerRejectingAParameterIsAnsweredInvalid()
    {
        var router = new SdMessageRouter().Map("FIRE", (_, _, _) => throw new SdException(SdErrorKind.InvalidArgument, "ParameterInvalid", "length=x is not an integer"));
        Assert.Equal(["INVALID command=FIRE;message=length=x is not an integer"], await RouteAsync(router, "FIRE length=x"));
    }

    [Fact]
    public async Task RepliesAreAddressedToTheSender()
    {
        var router = new SdMessageRouter().Map("DAD", Answer("CLIMB"));
        Assert.Equal(["remote:firewall/CLIMB"], await RouteAsync(router, "<remote:firewall DAD"));
    }

    [Fact]
    public async Task HandlersGetTheMessageWithItsConnectionAndPeerAndCanReplyOnIt()
    {
        SdMessage? seen = null;
        var router = new SdMessageRouter().Map("DAD", async (_, m, ct) =>
        {
            seen = m;
            await m.ReplyAsync("CLIMB", cancellationToken: ct);
        });
        Assert.Equal(["CLIMB"], await RouteAsync(router, "DAD"));
        Assert.Equal("t1", seen!.Connection);
        Assert.Equal("127.0.0.1:40000", seen.Peer);
        Assert.NotNull(seen.ReceivedAt);
    }

    [Fact]
    public async Task AMessageBuiltLocallyHasNobodyToReplyTo()
    {
        var ex = await Assert.ThrowsAsync<SdException>(async () => await new SdMessage("DAD").ReplyAsync("CLIMB"));
        Assert.Equal("MessageNotReceived", ex.Reason);
    }
}
