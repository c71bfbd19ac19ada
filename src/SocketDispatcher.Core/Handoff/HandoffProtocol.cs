namespace SocketDispatcher.Handoff;

/// <summary>
/// The listener's remaining stringly typed view of the handoff records; every member forwards to the
/// record types (<see cref="HelloRecord"/>, <see cref="ConnectionRecord"/>, ...), which define the
/// protocol (docs/handoff-protocol.md, "Records").
/// </summary>
// listener side moves to the typed records after the listener restructuring
internal static class HandoffProtocol
{
    // listener side moves to the typed records after the listener restructuring
    public const string Hello = HelloRecord.Command;
    public const string Config = ConfigRecord.Command;
    public const string Connection = Handoff.ConnectionRecord.Command;
    public const string Accepted = AcceptedRecord.Command;
    public const string Exit = ExitRecord.Command;
    public const string Quit = QuitRecord.Command;
    public const string Closed = ClosedRecord.Command;
    public const string Alive = AliveRecord.Command;
    public const string Absolutely = AbsolutelyRecord.Command;
    public const string Log = LogRecord.Command;

    /// <summary>The text of a CONNECTION record (<see cref="Handoff.ConnectionRecord.Write"/>), from its fields as text.</summary>
    // listener side moves to the typed records after the listener restructuring
    public static string ConnectionRecord(string id, string endpoint, string family, string local, string peer, bool tls)
        => Handoff.ConnectionRecord.WriteText(id, endpoint, family, local, peer, tls);

    /// <summary>The connection ids an ACCEPTED or CLOSED record names; none when it has no <c>id</c>.</summary>
    // listener side moves to the typed records after the listener restructuring
    public static string[] ConnectionIds(SdMessage message)
        => message.GetParameter(RecordFields.Id)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
