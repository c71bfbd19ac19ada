namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>ACCEPTED id=4</c> or <c>ACCEPTED id=4,5,6</c>, dispatcher -> listener: the dispatcher took these connections (an AF_UNIX one before any I/O on it, a TCP one once its
/// conversation started, reported up to 1 ms later with others); the listener keeps its copy of each until CLOSED
/// (docs/handoff-protocol.md, "The life of one connection").
/// </summary>
/// <param name="Ids">The connections, at least one, in the order they are reported.</param>
internal readonly record struct AcceptedRecord(IReadOnlyList<ConnectionId> Ids)
{
    /// <summary>The record's command.</summary>
    public const string Command = "ACCEPTED";

    /// <summary>The record's wire text.</summary>
    /// <exception cref="ArgumentException"><see cref="Ids"/> is empty.</exception>
    public string Write() => RecordFields.WriteIds(Command, Ids);

    /// <summary>Reads a ACCEPTED record: <c>id</c> is one connection id or several, comma-separated, with nothing between them.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out AcceptedRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetIds(message, out var ids, out error)) return false;
        record = new AcceptedRecord(ids);
        return true;
    }
}
