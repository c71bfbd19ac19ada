namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>CLOSED id=4</c> or <c>CLOSED id=4,5,6</c>, dispatcher -> listener: the conversations of these connections ended; the listener counts them
/// against the capacity and closes its own copy of each socket. It says ACCEPTED too: a connection closed
/// within its batch is never confirmed on its own (docs/handoff-protocol.md, "The life of one connection").
/// </summary>
/// <param name="Ids">The connections, at least one, in the order they are reported.</param>
internal readonly record struct ClosedRecord(IReadOnlyList<ConnectionId> Ids)
{
    /// <summary>The record's command.</summary>
    public const string Command = "CLOSED";

    /// <summary>The record's wire text.</summary>
    /// <exception cref="ArgumentException"><see cref="Ids"/> is empty.</exception>
    public string Write() => RecordFields.WriteIds(Command, Ids);

    /// <summary>Reads a CLOSED record: <c>id</c> is one connection id or several, comma-separated, with nothing between them.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out ClosedRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetIds(message, out var ids, out error)) return false;
        record = new ClosedRecord(ids);
        return true;
    }
}
