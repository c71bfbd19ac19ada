using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace SocketDispatcher;

/// <summary>Logging set-ups shared by <c>sd</c> and the cmdlets (Microsoft.Extensions.Logging).</summary>
public static class SdLogging
{
    /// <summary>
    /// One line per event on standard error (standard output stays for data), with a UTC timestamp,
    /// and colours only when standard error is a terminal: readable in a console and in the journal.
    /// </summary>
    /// <param name="minimumLevel">The lowest level written. <c>sd --trace</c> needs Information.</param>
    /// <param name="file">Also write every event to this file (<c>--log-file</c>); the factory does not own it:
    /// dispose it after the factory. Default: null (console only).</param>
    public static ILoggerFactory CreateConsoleFactory(LogLevel minimumLevel = LogLevel.Information, SdFileLoggerProvider? file = null)
        => LoggerFactory.Create(builder =>
        {
            builder
                .SetMinimumLevel(minimumLevel)
                .AddSimpleConsole(options =>
                {
                    options.SingleLine = true;
                    options.UseUtcTimestamp = true;
                    options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    options.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
                    options.IncludeScopes = false;
                })
                .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            if (file is not null) builder.AddProvider(file);
        });
}
