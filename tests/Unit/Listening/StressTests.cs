using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketDispatcher.Tests.Listening;

/// <summary>
/// The issue's stress test, bounded to well under a minute: 2 dispatchers, 5,000 short conversations
/// from 50 concurrent clients, and one dispatcher killed with SIGKILL in the middle.
/// </summary>
public sealed class StressTests
{
    private const int Conversations = 5_000;
    private const int Concurrency = 50;

    private enum Outcome
    {
        Completed,
        CutAfterHi,
        LostBeforeHi,
    }

    [Fact]
    public async Task KillingADispatcherMidLoadLosesNoConversationThatHadNotBegun()
    {
        await using var test = await TestListener.StartAsync();
        var victim = test.ReadyDispatchers()[0].ProcessId;
        var started = 0;
        var finished = 0;
        var outcomes = new Outcome[Conversations];
        var failures = new List<string>();
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(50));

        async Task WorkerAsync()
        {
            int n;
            while ((n = Interlocked.Increment(ref started) - 1) < Conversations)
            {
                (outcomes[n], var failure) = await ConverseAsync(test.Port, abort.Token);
                if (failure is not null) lock (failures) failures.Add($"#{n}: {failure}");
                Interlocked.Increment(ref finished);
            }
        }

        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(WorkerAsync)).ToArray();

        // In the middle: stop the victim so that connections pile up unconfirmed at it, then kill it.
        await Bounded.Until(() => Volatile.Read(ref finished) >= Conversations / 3, "a third of the conversations are done", test.Describe, TimeSpan.FromSeconds(30));
        TestListener.Signal(victim, "STOP");
        // Round-robin goes on handing every other connection to the stopped dispatcher, so one by one
        // every worker ends up waiting on it; then some connections are surely pending there (handed
        // after the STOP, never ACCEPTED), and the kill has work to re-hand.
        await Bounded.Until(
            () => test.Listener.GetDispatchers() is var all && all.Any(d => d.ProcessId == victim && d.Pending > 0) && all.Where(d => d.ProcessId != victim).All(d => d.Open + d.Pending == 0),
            "every worker waits on the stopped dispatcher",
            test.Describe);
        TestListener.Signal(victim, "KILL");

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(55));
        var completed = outcomes.Count(o => o == Outcome.Completed);
        var cut = outcomes.Count(o => o == Outcome.CutAfterHi);
        var lost = outcomes.Count(o => o == Outcome.LostBeforeHi);

        // 0 lost among the conversations that had not received HI; only those running at the victim were cut.
        Assert.True(lost == 0, $"{lost} conversations got no HI: {string.Join("; ", failures.Take(5))}");
        Assert.True(cut <= Concurrency, $"{cut} conversations were cut, more than ran at once");
        Assert.Equal(Conversations, completed + cut);

        // The dead dispatcher is replaced, and STATUS shows the connections handed again.
        await test.WaitForReadyAsync(2, d => d.ProcessId != victim);
        Assert.Contains(test.ReadyDispatchers(), d => d.Restarts == 1);
        Assert.True(test.Listener.Rehanded > 0, "nothing was re-handed");
        Assert.Equal(test.Listener.Rehanded.ToString(System.Globalization.CultureInfo.InvariantCulture), test.Listener.GetStatus().GetParameter("rehanded"));
        Assert.Equal(0, test.Listener.Dropped);
    }

    /// <summary>HI, DAD/CLIMB, MOM/BYE, close. A failure before HI is a lost conversation; after it, a cut one.</summary>
    private static async Task<(Outcome Outcome, string? Failure)> ConverseAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var greeted = false;
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.ASCII);
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line != "HI") return (Outcome.LostBeforeHi, $"first line '{line}'");
            greeted = true;
            foreach (var (ask, answer) in new[] { ("DAD", "CLIMB"), ("MOM", "BYE") })
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(ask + "\n"), cancellationToken);
                line = await reader.ReadLineAsync(cancellationToken);
                if (line != answer) return (Outcome.CutAfterHi, $"'{line}' for {ask}");
            }

            return (Outcome.Completed, null);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return (greeted ? Outcome.CutAfterHi : Outcome.LostBeforeHi, ex.Message);
        }
    }
}
