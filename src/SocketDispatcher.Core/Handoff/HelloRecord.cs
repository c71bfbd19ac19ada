using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>HELLO capacity=..;pid=..</c>, dispatcher -> listener, the dispatcher's first record once it joined; the
/// listener answers with CONFIG (docs/handoff-protocol.md, "Joining").
/// </summary>
/// <param name="Pid">The dispatcher's process id (the listener trusts SO_PEERCRED's, this one is for the logs).</param>
/// <param name="Capacity">How many open connections the dispatcher takes, at least 1.</param>
internal readonly record struct HelloRecord(int Pid, int Capacity)
{
    /// <summary>The record's command.</summary>
    public const string Command = "HELLO";

    private const string PidName = "pid";
    private const string CapacityName = "capacity";

    /// <summary>The record's wire text.</summary>
    public string Write() => MessageWriter.Write(Command, [
        new(CapacityName, Capacity.ToString(CultureInfo.InvariantCulture)),
        new(PidName, Pid.ToString(CultureInfo.InvariantCulture)),
    ]);

    /// <summary>Reads a HELLO record: <c>pid</c> and <c>capacity</c> are whole numbers of at least 1.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out HelloRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetInt32(message, PidName, 1, out var pid, out error)
            || !RecordFields.TryGetInt32(message, CapacityName, 1, out var capacity, out error)) return false;
        record = new HelloRecord(pid, capacity);
        return true;
    }
}
