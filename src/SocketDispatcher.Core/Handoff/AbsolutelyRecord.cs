namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>ABSOLUTELY serial=..</c>, dispatcher -> listener, the answer to <see cref="AliveRecord"/>: the
/// dispatcher's reading thread is alive (docs/handoff-protocol.md, "The watchdog").
/// </summary>
/// <param name="Serial">The serial of the ALIVE it answers.</param>
/// <param name="Timestamp">The ALIVE's <c>timestamp</c>, echoed as it is; null when it had none.</param>
internal readonly record struct AbsolutelyRecord(long Serial, string? Timestamp = null)
{
    /// <summary>The record's command.</summary>
    public const string Command = "ABSOLUTELY";

    /// <summary>The record's wire text.</summary>
    public string Write() => AliveRecord.WriteText(Command, Serial, Timestamp);

    /// <summary>Reads an ABSOLUTELY record: <c>serial</c> is a whole number of at least 0; <c>timestamp</c> is optional text.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out AbsolutelyRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetNumber(message, AliveRecord.SerialName, 0, out var serial, out error)) return false;
        record = new AbsolutelyRecord(serial, RecordFields.GetOptional(message, AliveRecord.TimestampName));
        return true;
    }
}
