using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace SocketDispatcher.Tests.Listening;

/// <summary>
/// An in-process <see cref="SdListener"/> on 127.0.0.1 port 0 whose dispatchers are real <c>sd dispatch</c>
/// processes (the <c>sd</c> next to the tests), in a temporary runtime directory; disposing stops it
/// without a drain and kills the dispatchers started by hand.
/// </summary>
internal sealed class TestListener : IAsyncDisposable
{
    public static readonly string SdProgram = Path.Combine(AppContext.BaseDirectory, "sd");

    private readonly string _folder;
    private readonly List<Process> _byHand = [];

    private TestListener(SdListener listener, string folder)
    {
        Listener = listener;
        _folder = folder;
        Port = int.Parse(listener.Endpoints[0].ToString().Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public SdListener Listener { get; }

    public int Port { get; }

    /// <summary>Starts a listener and waits until <paramref name="ready"/> dispatchers said HELLO.</summary>
    public static async Task<TestListener> StartAsync(Action<SdListenerOptions>? configure = null, int? ready = null)
    {
        var folder = Directory.CreateTempSubdirectory("sd-test-").FullName;
        var options = new SdListenerOptions
        {
            RuntimeDirectory = Path.Combine(folder, "run"),
            DispatcherProgram = SdProgram,
            DrainTimeout = TimeSpan.FromSeconds(5),
        };
        options.Endpoints.Add(SdEndpoint.Parse("tcp://127.0.0.1:0"));
        configure?.Invoke(options);
        var listener = await SdListener.StartAsync(options, Environment.GetEnvironmentVariable("SD_TEST_LOG") is null ? NullLoggerFactory.Instance : SdLogging.CreateConsoleFactory(Microsoft.Extensions.Logging.LogLevel.Debug)).Within();
        var test = new TestListener(listener, folder);
        await test.WaitForReadyAsync(ready ?? options.Dispatchers);
        return test;
    }

    public Task WaitForReadyAsync(int count, Func<SdDispatcherInfo, bool>? which = null) => Bounded.Until(
        () => ReadyDispatchers().Count(which ?? (_ => true)) >= count,
        $"{count} dispatchers are ready",
        Describe,
        TimeSpan.FromSeconds(30));

    public IReadOnlyList<SdDispatcherInfo> ReadyDispatchers() => Listener.GetDispatchers().Where(d => d.State == SdDispatcherState.Ready).ToArray();

    public string Describe() => $"accepted {Listener.Accepted}, handed {Listener.Handed}, re-handed {Listener.Rehanded}, dropped {Listener.Dropped}; dispatchers: "
        + string.Join("; ", Listener.GetDispatchers().Select(d => $"{d.ProcessId} {d.State} open {d.Open} pending {d.Pending} restarts {d.Restarts}"));

    /// <summary>Starts <c>sd dispatch</c> by hand on the listener's handoff socket.</summary>
    public Process StartDispatcherByHand(string handler = "conversation")
    {
        var info = new ProcessStartInfo(SdProgram) { RedirectStandardError = true };
        foreach (var argument in new[] { "dispatch", "--handoff", Listener.Handoff.ToString(), "--handler", handler }) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        _byHand.Add(process);
        return process;
    }

    public async Task<TestClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port).Within();
        return new TestClient(socket);
    }

    /// <summary>Sends a signal (<c>STOP</c>, <c>KILL</c>...) with kill(1).</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        foreach (var process in _byHand)
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(5000);
            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
