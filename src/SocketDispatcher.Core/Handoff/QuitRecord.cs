namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>QUIT reason=..</c>, dispatcher -> listener: a handler asked the service to stop; the listener stops
/// as for a QUIT on its control endpoint, draining (docs/handoff-protocol.md, "Shutdown").
/// </summary>
/// <param name="Reason">Why, for the logs; null when the record gives none (the listener then names the dispatcher).</param>
internal readonly record struct QuitRecord(string? Reason)
{
    /// <summary>The record's command.</summary>
    public const string Command = "QUIT";

    private const string ReasonName = "reason";

    /// <summary>The record's wire text; without a reason, <c>QUIT</c> alone.</summary>
    public string Write() => Reason is null ? Command : MessageWriter.Write(Command, [new(ReasonName, Reason)]);

    /// <summary>Reads a QUIT record; <c>reason</c> is optional.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out QuitRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)) return false;
        record = new QuitRecord(message.GetParameter(ReasonName));
        return true;
    }
}
