using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Completes endpoint parameters: the endpoints of running listeners that fit the parameter (their
/// control endpoints for <c>-Control</c>, handoff sockets for <c>-Handoff</c>, listening endpoints
/// otherwise), then the schemes.
/// </summary>
public sealed class SdEndpointCompleter : IArgumentCompleter
{
    private static readonly string[] s_schemes = ["tcp://", "tls://", "udp://", "unix:", "unixgram:"];

    /// <summary>Returns the endpoints and schemes that start with what was typed.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What was typed so far.</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        // A new listener cannot bind what a running one holds: offer it the schemes only.
        var toBind = string.Equals(commandName, "Start-SdListener", StringComparison.OrdinalIgnoreCase);
        var running = (toBind ? [] : RunningListeners.Get()).SelectMany(l => EndpointsFor(parameterName, l).Select(e => (Text: e.ToString(), Listener: l)));
        foreach (var (text, listener) in running.DistinctBy(r => r.Text).Where(r => r.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            yield return new CompletionResult(Quote(text), text, CompletionResultType.ParameterValue, $"{text} ({listener})");
        }

        foreach (var scheme in s_schemes.Where(s => s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            yield return new CompletionResult(scheme, scheme, CompletionResultType.ParameterValue, scheme + "...");
        }
    }

    private static IEnumerable<SdEndpoint> EndpointsFor(string parameterName, SdListenerInfo listener) => parameterName switch
    {
        "Control" => listener.ControlEndpoints,
        "Handoff" => listener.Handoff is { } handoff ? [handoff] : [],
        _ => listener.Endpoints,
    };

    private static string Quote(string text) => text.Contains(' ', StringComparison.Ordinal) ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'" : text;
}
