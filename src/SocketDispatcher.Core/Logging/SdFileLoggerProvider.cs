using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher;

/// <summary>
/// Writes log entries to a file, one line each (<c>2025-01-31T12:00:00.000Z info: Category[EventId] text</c>,
/// line breaks in the text written as <c>\n</c>), for Microsoft.Extensions.Logging. Each line is
/// written whole and flushed under one lock, so lines from many threads never mix and a line is on
/// disk when the call returns. <see cref="Reopen"/> swaps the file under that same lock: every line
/// logged before the swap is in the old file (the one logrotate renamed), every line after it in the
/// new one, and none is lost (logrotate(8) <c>postrotate</c>, eventdispatcher's <c>LOG</c>).
/// </summary>
public sealed class SdFileLoggerProvider : ILoggerProvider
{
    /// <summary>The placeholder that <see cref="SdFileLoggerProvider(string)"/> replaces by the process id.</summary>
    public const string ProcessIdPlaceholder = "{pid}";

    private readonly object _gate = new();
    private StreamWriter? _writer;

    /// <summary>Opens (creates or appends to) the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; <c>{pid}</c> in it is replaced by this process's id, so that several
    /// processes given the same pattern write to files of their own.</param>
    /// <exception cref="SdException">The folder does not exist (LogFileUnavailable, NotFound), access is denied
    /// (LogFileUnavailable, PermissionDenied), or the file cannot be opened (LogFileUnavailable).</exception>
    public SdFileLoggerProvider(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path.Replace(ProcessIdPlaceholder, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        _writer = Open(Path);
    }

    /// <summary>The full path of the file, <c>{pid}</c> replaced.</summary>
    public string Path { get; }

    /// <summary>
    /// The path spawned dispatchers of a listener logging to <paramref name="listenerPath"/> are given:
    /// <c>DIR/NAME.dispatcher-{pid}.EXT</c> for <c>DIR/NAME.EXT</c> (<c>listener.log</c> -> <c>listener.dispatcher-{pid}.log</c>).
    /// </summary>
    public static string DispatcherPath(string listenerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(listenerPath);
        var folder = System.IO.Path.GetDirectoryName(listenerPath) ?? string.Empty;
        var name = System.IO.Path.GetFileNameWithoutExtension(listenerPath) + ".dispatcher-" + ProcessIdPlaceholder + System.IO.Path.GetExtension(listenerPath);
        return System.IO.Path.Combine(folder, name);
    }

    /// <summary>
    /// Closes the file and opens <see cref="Path"/> again (a new file when logrotate has renamed the old
    /// one). Lines logged meanwhile wait for the lock; none is lost. When the path cannot be opened, the
    /// old file stays in use.
    /// </summary>
    /// <exception cref="SdException">The path cannot be opened now (LogFileUnavailable); logging goes on to the old file.</exception>
    /// <exception cref="ObjectDisposedException">The provider is disposed.</exception>
    public void Reopen()
    {
        var next = Open(Path);
        StreamWriter? previous;
        lock (_gate)
        {
            previous = _writer;
            if (previous is null)
            {
                next.Dispose();
                throw new ObjectDisposedException(nameof(SdFileLoggerProvider));
            }

            _writer = next;
        }

        previous.Dispose();
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    /// <summary>Flushes and closes the file; later entries are dropped.</summary>
    public void Dispose()
    {
        StreamWriter? writer;
        lock (_gate)
        {
            writer = _writer;
            _writer = null;
        }

        writer?.Dispose();
    }

    /// <summary>Formats one entry as a single line.</summary>
    internal static string FormatLine(DateTimeOffset time, LogLevel level, string category, EventId eventId, string text, Exception? exception)
    {
        var line = new StringBuilder(text.Length + 96);
        line.Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        line.Append(LevelName(level)).Append(": ").Append(category).Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        AppendOneLine(line, text);
        if (exception is not null)
        {
            line.Append(" | ");
            AppendOneLine(line, exception.ToString());
        }

        return line.ToString();
    }

    private static void AppendOneLine(StringBuilder line, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': line.Append("\\n"); break;
                case '\r': break;
                default: line.Append(c); break;
            }
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private static StreamWriter Open(string path)
    {
        try
        {
            // Shared for reading, renaming and deleting: logrotate renames it under us, tail -f reads it.
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true, NewLine = "\n" };
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new SdException(SdErrorKind.NotFound, "LogFileUnavailable", $"cannot open the log file {path}: its folder does not exist", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SdException(SdErrorKind.PermissionDenied, "LogFileUnavailable", $"cannot open the log file {path}: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new SdException(SdErrorKind.ResourceUnavailable, "LogFileUnavailable", $"cannot open the log file {path}: {ex.Message}", ex);
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            if (_writer is null) return;
            try
            {
                _writer.WriteLine(line);
            }
            catch (IOException)
            {
                // A full disk must not take the service down; the console still has the entry.
            }
        }
    }

    private sealed class FileLogger(SdFileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            provider.Write(FormatLine(DateTimeOffset.UtcNow, logLevel, category, eventId, formatter(state, exception), exception));
        }
    }
}
