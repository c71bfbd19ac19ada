using Microsoft.Extensions.Logging;

namespace SocketDispatcher.PowerShell;

/// <summary>One queued log event: its level, its short category (<c>Listener</c>) and its text.</summary>
internal readonly record struct PipelineLogEntry(LogLevel Level, string Category, string Text)
{
    /// <summary>The line written to the Verbose or Warning stream.</summary>
    public override string ToString() => Category + ": " + Text;
}
