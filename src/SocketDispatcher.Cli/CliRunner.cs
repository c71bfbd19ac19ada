using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace SocketDispatcher.Cli;

/// <summary>What every verb shares: exit codes, one-line errors, the --trace option, logging.</summary>
internal static class CliRunner
{
    /// <summary>Exit code of a finished run.</summary>
    public const int Done = 0;

    /// <summary>Exit code of a failure at run time.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of bad usage: a bad option value, a missing file.</summary>
    public const int BadUsage = 2;

    public static Option<bool> TraceOption() => new("--trace") { Description = "Log every message in and out, with direction, connection id and peer, and each connection's handoff and close." };

    public static Option<string?> DefinitionsOption() => new("--definitions") { Description = "Message definition directories (COMMAND.json or COMMAND.psd1 files), colon-separated, searched before the built-in definitions." };

    /// <summary>Console logging, and the file too when there is one: Debug and up with --trace (connections handed, taken, closed), else Information and up.</summary>
    public static ILoggerFactory CreateLogging(bool trace, SdFileLoggerProvider? file = null)
        => SdLogging.CreateConsoleFactory(trace ? LogLevel.Debug : LogLevel.Information, file);

    /// <summary>Opens the file of a --log-file option, or returns null when none was given.</summary>
    /// <exception cref="SdException">The file cannot be opened (LogFileUnavailable).</exception>
    public static SdFileLoggerProvider? OpenLogFile(string? path) => path is null ? null : new SdFileLoggerProvider(path);

    /// <summary>Runs a verb: an <see cref="SdException"/> becomes one line on standard error and exit code 2 (bad usage) or 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (SdException ex)
        {
            await Console.Error.WriteLineAsync($"sd: {ex.Message}").ConfigureAwait(false);
            return ex.Kind is SdErrorKind.InvalidArgument or SdErrorKind.NotFound ? BadUsage : Failure;
        }
        catch (OperationCanceledException)
        {
            return Failure;
        }
    }

    public static SdEndpoint[] Endpoints(string[]? texts) => (texts ?? []).Select(SdEndpoint.Parse).ToArray();

    public static TimeSpan? Duration(string? text) => text is null ? null : SdDuration.Parse(text);

    /// <summary>TLS client options from the shared --ca, --insecure, --cert and --key options.</summary>
    public static SdTlsClientOptions ClientTls(string? ca, bool insecure, string? cert, string? key)
        => new() { CertificateAuthorityPath = ca, SkipCertificateCheck = insecure, CertificatePath = cert, KeyPath = key };
}
