using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Tests.Logging;

public sealed class FileLoggerProviderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-filelog-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ReopenAfterRenameLosesNoLineAndSplitsThemAtTheSwap()
    {
        var path = Path.Combine(_folder, "app.log");
        using var provider = new SdFileLoggerProvider(path);
        var logger = provider.CreateLogger("Test");
        const int writers = 4;
        const int perWriter = 2000;
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            go.Wait();
            for (var i = 0; i < perWriter; i++) logger.LogInformation("writer {Writer} line {Line}", w, i);
        })).ToArray();

        go.Set();
        // Rotate as logrotate does, several times, while the writers run.
        var rotated = new List<string>();
        for (var r = 0; r < 3; r++)
        {
            await Task.Delay(5);
            var target = path + "." + r.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.Move(path, target);
            rotated.Add(target);
            provider.Reopen();
        }

        await Task.WhenAll(tasks).Within();
        var all = rotated.Append(path).SelectMany(File.ReadAllLines).ToArray();

        Assert.Equal(writers * perWriter, all.Length);
        Assert.All(all, line => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Test\[0\] writer \d line \d+$", line));
        for (var w = 0; w < writers; w++)
        {
            // Each writer's lines stay in order across the files, oldest file first.
            var lines = all.Where(l => l.Contains($"writer {w} line ", StringComparison.Ordinal)).Select(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(Enumerable.Range(0, perWriter), lines);
        }
    }

    [Fact]
    public void WritesAnEntryWithLineBreaksAndAnExceptionAsOneLine()
    {
        var path = Path.Combine(_folder, "one.log");
        using (var provider = new SdFileLoggerProvider(path))
        {
            provider.CreateLogger("Cat").LogError(new InvalidOperationException("bad\nthing"), "first\nsecond");
        }

        var line = Assert.Single(File.ReadAllLines(path));
        Assert.Matches(@"fail: Cat\[0\] first\\nsecond \| System.InvalidOperationException: bad\\nthing$", line);
    }

    [Fact]
    public void ReplacesPidPlaceholderAndDerivesTheDispatcherPath()
    {
        using var provider = new SdFileLoggerProvider(Path.Combine(_folder, "x-{pid}.log"));
        Assert.Equal(Path.Combine(_folder, $"x-{Environment.ProcessId}.log"), provider.Path);
        Assert.Equal("/var/log/sd/listener.dispatcher-{pid}.log", SdFileLoggerProvider.DispatcherPath("/var/log/sd/listener.log"));
    }

    [Fact]
    public void RefusesAMissingFolderWithOneLine()
    {
        var error = Assert.Throws<SdException>(() => new SdFileLoggerProvider(Path.Combine(_folder, "none", "x.log")));
        Assert.Equal("LogFileUnavailable", error.Reason);
        Assert.Equal(SdErrorKind.NotFound, error.Kind);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void KeepsTheOldFileWhenReopenFails()
    {
        var folder = Path.Combine(_folder, "gone");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "a.log");
        using var provider = new SdFileLoggerProvider(path);
        var logger = provider.CreateLogger("T");
        logger.LogInformation("before");
        File.Move(path, Path.Combine(_folder, "a.log.1"));
        Directory.Delete(folder);

        Assert.Throws<SdException>(provider.Reopen);
        logger.LogInformation("after");

        Assert.Equal(2, File.ReadAllLines(Path.Combine(_folder, "a.log.1")).Length);
    }
}
