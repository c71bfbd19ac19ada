using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Completes <c>-Command</c>: the commands the peer (the bound <c>-Client</c> or <c>-Endpoint</c>, or
/// any peer) listed in its answer to <c>HELP</c>, then the built-in ones.
/// </summary>
public sealed class SdCommandCompleter : IArgumentCompleter
{
    /// <summary>Returns the commands that start with what was typed.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What was typed so far.</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var peer = PeerKey(fakeBoundParameters);
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return SdPeerCommands.Of(peer)
            .Concat(SdPeerCommands.BuiltIn)
            .Distinct(StringComparer.Ordinal)
            .Where(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c, c, CompletionResultType.ParameterValue, SdPeerCommands.BuiltIn.Contains(c) ? $"{c} (built in)" : $"{c} (listed by the peer's HELP)"));
    }

    private static string? PeerKey(IDictionary bound)
    {
        var value = bound?["Client"] ?? bound?["Endpoint"];
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        return value switch
        {
            SdConnection connection => connection.Id,
            SdEndpoint endpoint => endpoint.ToString(),
            string text => text,
            _ => null,
        };
    }
}
