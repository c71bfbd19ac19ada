using System.Globalization;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>HELLO capacity=..;pid=..</c>, dispatcher -> listener, the dispatcher's first record once it joined; the
/// listener answers with CONFIG (docs/handoff-protocol.md, "Joining").
/// </summary>
/// <param name="Pid">The dispatcher's process id, when it says it (the listener trusts SO_PEERCRED's; this one is for the logs).</param>
/// <param name="Capacity">How many open connections the dispatcher takes, at least 1; null (not said): no limit.</param>
internal readonly record struct HelloRecord(int? Pid, int? Capacity)
{
    /// <summary>The record's command.</summary>
    public const string Command = "HELLO";

    private const string PidName = "pid";
    private const string CapacityName = "capacity";

    /// <summary>The record's wire text.</summary>
    public string Write()
    {
        var parameters = new List<KeyValuePair<string, string>>(2);
        if (Capacity is { } capacity) parameters.Add(new(CapacityName, capacity.ToString(CultureInfo.InvariantCulture)));
        if (Pid is { } pid) parameters.Add(new(PidName, pid.ToString(CultureInfo.InvariantCulture)));
        return MessageWriter.Write(Command, CollectionsMarshal.AsSpan(parameters));
    }

    /// <summary>
    /// Reads a HELLO record: <c>pid</c> and <c>capacity</c>, when present, are whole numbers of at least 1.
    /// Both may be missing, as a dispatcher started by hand may say only <c>HELLO</c>: the listener knows
    /// the pid from SO_PEERCRED, and no capacity means no limit.
    /// </summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out HelloRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)) return false;
        int? pid = null, capacity = null;
        if (message.GetParameter(PidName) is not null)
        {
            if (!RecordFields.TryGetInt32(message, PidName, 1, out var said, out error)) return false;
            pid = said;
        }

        if (message.GetParameter(CapacityName) is not null)
        {
            if (!RecordFields.TryGetInt32(message, CapacityName, 1, out var said, out error)) return false;
            capacity = said;
        }

        record = new HelloRecord(pid, capacity);
        return true;
    }
}
