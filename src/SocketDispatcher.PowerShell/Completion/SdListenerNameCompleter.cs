using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketDispatcher.PowerShell;

/// <summary>Completes <c>-Name</c> of Get-SdListener and Stop-SdListener with the names of running listeners.</summary>
public sealed class SdListenerNameCompleter : IArgumentCompleter
{
    /// <summary>Returns the running listeners' names that start with what was typed.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What was typed so far.</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return RunningListeners.Get()
            .Where(l => l.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(l => new CompletionResult(l.Name, l.Name, CompletionResultType.ParameterValue, l.ToString()));
    }
}
