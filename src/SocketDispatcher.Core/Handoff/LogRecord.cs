namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>LOG</c>, listener -> dispatcher: reopen your log file, because the listener got <c>LOG</c> or
/// <c>LOG_ROTATE</c> on a control endpoint (logrotate's postrotate) (docs/handoff-protocol.md, "Records").
/// </summary>
internal readonly record struct LogRecord
{
    /// <summary>The record's command.</summary>
    public const string Command = "LOG";

    /// <summary>The record's wire text: the command alone.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Every record type writes itself through an instance Write().")]
    public string Write() => Command;

    /// <summary>Reads a LOG record; it has no parameters (extra ones are ignored).</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The record, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out LogRecord record, out string error)
    {
        record = default;
        return RecordFields.IsCommand(message, Command, out error);
    }
}
