namespace SocketDispatcher;

/// <summary>
/// How a listener runs dispatchers for a <c>.ps1</c> handler file (<c>sd listen --handler FILE.ps1</c>):
/// each one is a pwsh process that imports the module shipped next to SocketDispatcher.Core.dll and
/// runs <c>Start-SdDispatcher -HandlerFile FILE.ps1</c>. The file returns a hashtable of
/// command (or regular expression, or <c>*</c>) to scriptblock; see <c>Start-SdDispatcher</c>.
/// </summary>
internal static class ScriptHandlerLaunch
{
    /// <summary>Whether a handler name is a PowerShell handler file.</summary>
    public static bool IsScript(string handler) => handler.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase);

    /// <summary>The module manifest the pwsh dispatchers import: the one deployed with this assembly.</summary>
    public static string ModuleManifest
        => Path.Combine(Path.GetDirectoryName(typeof(ScriptHandlerLaunch).Assembly.Location) ?? AppContext.BaseDirectory, "SocketDispatcher.psd1");

    /// <summary>
    /// Checks the handler file, finds pwsh and the module, and gives the program and its arguments
    /// to start one dispatcher.
    /// </summary>
    /// <param name="options">The listener's options; <see cref="SdListenerOptions.Handler"/> is a .ps1 path.</param>
    /// <param name="handoff">The handoff socket the dispatchers connect to.</param>
    /// <exception cref="SdException">The file, pwsh or the module manifest is missing (kind NotFound, reasons <c>HandlerFileNotFound</c>, <c>PowerShellNotFound</c>, <c>ModuleNotFound</c>).</exception>
    public static (string Program, IReadOnlyList<string> Arguments) Resolve(SdListenerOptions options, string handoff)
    {
        var file = Path.GetFullPath(options.Handler);
        if (!File.Exists(file)) throw new SdException(SdErrorKind.NotFound, "HandlerFileNotFound", $"the handler file '{file}' does not exist");
        if (!File.Exists(ModuleManifest)) throw new SdException(SdErrorKind.NotFound, "ModuleNotFound", $"a .ps1 handler needs the SocketDispatcher module next to sd, and '{ModuleManifest}' does not exist");
        var (program, prefix) = FindPowerShell(options.PowerShellProgram);
        var command = $"Import-Module {Quote(ModuleManifest)}; Start-SdDispatcher -Handoff {Quote(handoff)} -HandlerFile {Quote(file)}";
        if (options.DefinitionPath is { Length: > 0 } definitions) command += " -DefinitionPath " + string.Join(',', definitions.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Quote));
        if (options.Trace) command += " -TraceMessages -Verbose";
        return (program, [.. prefix, "-NoProfile", "-NonInteractive", "-Command", command]);
    }

    /// <summary>
    /// pwsh is not on PATH on every machine (the build runs it as a local dotnet tool), so it is, in
    /// order: the given program, <c>$SD_PWSH</c>, then <c>pwsh</c> on PATH. A <c>pwsh.dll</c> (what
    /// <c>dotnet pwsh</c> runs) is started with the <c>dotnet</c> host.
    /// </summary>
    /// <exception cref="SdException">None is found (kind NotFound, reason <c>PowerShellNotFound</c>).</exception>
    public static (string Program, string[] Prefix) FindPowerShell(string? given)
    {
        var candidate = given ?? Environment.GetEnvironmentVariable("SD_PWSH") ?? FindOnPath("pwsh");
        if (candidate is null || !File.Exists(candidate))
        {
            throw new SdException(SdErrorKind.NotFound, "PowerShellNotFound", candidate is null
                ? "a .ps1 handler runs in pwsh, which is not on PATH: install PowerShell 7, or give its path with --pwsh (a pwsh executable or pwsh.dll) or SD_PWSH"
                : $"the PowerShell program '{candidate}' does not exist");
        }

        return candidate.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : FindOnPath("dotnet") ?? "dotnet", [candidate])
            : (candidate, []);
    }

    private static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
