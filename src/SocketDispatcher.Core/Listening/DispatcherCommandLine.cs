using System.Globalization;

namespace SocketDispatcher.Listening;

/// <summary>The program and arguments a listener spawns its dispatchers with: <c>sd dispatch ...</c>, or pwsh for a <c>.ps1</c> handler.</summary>
internal static class DispatcherCommandLine
{
    /// <summary>The program: <see cref="SdListenerOptions.DispatcherProgram"/>, pwsh for a script handler, else the <c>sd</c> next to this assembly.</summary>
    public static string Program(SdListenerOptions options) => options.DispatcherProgram
        ?? (ScriptHandlerLaunch.IsScript(options.Handler) ? ScriptHandlerLaunch.FindPowerShell(options.PowerShellProgram).Program : null)
        ?? Path.Combine(Path.GetDirectoryName(typeof(SdListener).Assembly.Location) ?? AppContext.BaseDirectory, "sd");

    /// <summary>The arguments, for a dispatcher that connects to <paramref name="handoff"/>.</summary>
    public static IEnumerable<string> Arguments(SdListenerOptions options, SdEndpoint handoff)
    {
        if (ScriptHandlerLaunch.IsScript(options.Handler))
        {
            foreach (var argument in ScriptHandlerLaunch.Resolve(options, handoff.ToString()).Arguments) yield return argument;
            yield break;
        }

        yield return "dispatch";
        yield return "--handoff";
        yield return handoff.ToString();
        yield return "--handler";
        yield return options.Handler;
        yield return "--capacity";
        yield return options.Capacity.ToString(CultureInfo.InvariantCulture);
        if (options.DefinitionPath is { Length: > 0 } definitions)
        {
            yield return "--definitions";
            yield return definitions;
        }

        if (options.Trace) yield return "--trace";
        if (options.LogFile is { } logFile)
        {
            yield return "--log-file";
            yield return SdFileLoggerProvider.DispatcherPath(logFile.Path);
        }
    }
}
