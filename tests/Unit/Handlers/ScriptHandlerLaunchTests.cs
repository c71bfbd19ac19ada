namespace SocketDispatcher.Tests.Handlers;

public sealed class ScriptHandlerLaunchTests
{
    [Fact]
    public void APwshDllRunsWithTheDotnetHost()
    {
        var dll = typeof(ScriptHandlerLaunchTests).Assembly.Location;
        var (program, prefix) = ScriptHandlerLaunch.FindPowerShell(dll);
        Assert.EndsWith("dotnet", program, StringComparison.Ordinal);
        Assert.Equal([dll], prefix);
    }

    [Fact]
    public void AMissingPwshIsNamed()
    {
        var ex = Assert.Throws<SdException>(() => ScriptHandlerLaunch.FindPowerShell("/nonexistent/pwsh"));
        Assert.Equal("PowerShellNotFound", ex.Reason);
        Assert.Contains("/nonexistent/pwsh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyPs1FilesAreScriptHandlers()
    {
        Assert.True(ScriptHandlerLaunch.IsScript("handlers.PS1"));
        Assert.False(ScriptHandlerLaunch.IsScript("conversation"));
    }
}
