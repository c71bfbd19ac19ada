using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// An <see cref="ILoggerProvider"/> that queues Core's log events so that a cmdlet can write them
/// as Verbose and Warning records from the pipeline thread (<c>Cmdlet.Write*</c> may not be called
/// from any other thread). Bounded: when nobody drains it, the oldest entries are dropped.
/// </summary>
internal sealed class PipelineLog : ILoggerProvider
{
    private const int Capacity = 10_000;

    private readonly ConcurrentQueue<PipelineLogEntry> _entries = new();
    private readonly AutoResetEvent _signal = new(false);
    private int _count;

    /// <summary>Set whenever an entry is queued, so a waiting pipeline thread wakes up to write it.</summary>
    public WaitHandle Signal => _signal;

    /// <summary>A logger factory that logs into a new queue, at Information and above, and to <paramref name="file"/> too when given (-LogFile).</summary>
    public static ILoggerFactory CreateFactory(out PipelineLog log, SdFileLoggerProvider? file = null)
    {
        var queue = new PipelineLog();
        log = queue;
        return LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Information).AddProvider(queue);
            if (file is not null) builder.AddProvider(file);
        });
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new QueueLogger(this, ShortCategory(categoryName));

    /// <summary>Takes the oldest entry.</summary>
    public bool TryDequeue(out PipelineLogEntry entry)
    {
        if (!_entries.TryDequeue(out entry!)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The wait handle stays usable: a cmdlet may still be draining when the factory goes away.
    }

    private void Add(PipelineLogEntry entry)
    {
        _entries.Enqueue(entry);
        if (Interlocked.Increment(ref _count) > Capacity && _entries.TryDequeue(out _)) Interlocked.Decrement(ref _count);
        _signal.Set();
    }

    private static string ShortCategory(string category)
        => category.StartsWith("SocketDispatcher.", StringComparison.Ordinal) ? category["SocketDispatcher.".Length..] : category;

    private sealed class QueueLogger(PipelineLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = formatter(state, exception);
            if (exception is not null) text += " (" + exception.GetType().Name + ": " + exception.Message + ")";
            log.Add(new PipelineLogEntry(logLevel, category, text));
        }
    }
}
