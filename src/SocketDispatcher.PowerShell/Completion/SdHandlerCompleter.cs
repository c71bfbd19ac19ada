using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Completes handlers: for <c>-Handler</c> the built-in handlers, then (for Start-SdListener, whose
/// <c>-Handler</c> also takes a script) the <c>.ps1</c> files and folders at the path typed; for
/// <c>-HandlerFile</c> the scripts only.
/// </summary>
public sealed class SdHandlerCompleter : IArgumentCompleter
{
    /// <summary>Returns the handler names and script paths that start with what was typed.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What was typed so far.</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var byName = string.Equals(parameterName, "Handler", StringComparison.OrdinalIgnoreCase);
        if (byName)
        {
            foreach (var name in SdHandlers.Names.Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, $"{name} (built-in handler)");
            }
        }

        // Start-SdDispatcher takes a script through -HandlerFile, not -Handler.
        if (byName && string.Equals(commandName, "Start-SdDispatcher", StringComparison.OrdinalIgnoreCase)) yield break;
        foreach (var path in Scripts(word)) yield return path;
    }

    // Completers run on the pipeline thread while TabExpansion2 runs, so the session state cannot be
    // reached through Runspace.SessionStateProxy (it is busy); a nested script can read it.
    private static string CurrentLocation()
    {
        try
        {
            var result = ScriptBlock.Create("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke();
            return result.Count > 0 && result[0]?.BaseObject is string path ? path : Environment.CurrentDirectory;
        }
        catch (RuntimeException)
        {
            return Environment.CurrentDirectory;
        }
    }

    private static IEnumerable<CompletionResult> Scripts(string word)
    {
        // Relative paths are relative to the PowerShell location, not to the process's directory.
        var location = CurrentLocation();
        var slash = word.LastIndexOf('/');
        var typedFolder = slash < 0 ? string.Empty : word[..(slash + 1)];
        var folder = Path.Combine(location, typedFolder.Length == 0 ? "." : typedFolder);
        var namePrefix = word[(slash + 1)..];
        if (!Directory.Exists(folder)) yield break;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(folder).Select(d => Path.GetFileName(d) + "/")
                .Concat(Directory.EnumerateFiles(folder, "*.ps1").Select(f => Path.GetFileName(f)))
                .Where(n => n.StartsWith(namePrefix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            var text = (typedFolder.Length == 0 && !entry.EndsWith('/') ? "./" : typedFolder) + entry;
            var quoted = text.Contains(' ', StringComparison.Ordinal) ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'" : text;
            yield return new CompletionResult(quoted, entry, entry.EndsWith('/') ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem, text);
        }
    }
}
