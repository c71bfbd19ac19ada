using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>ALIVE serial=..</c>, listener -> dispatcher, the watchdog's question; the dispatcher answers it at
/// once with <see cref="AbsolutelyRecord"/> (docs/handoff-protocol.md, "The watchdog").
/// </summary>
/// <param name="Serial">The question's number, per dispatcher, from 1.</param>
/// <param name="Timestamp">A <c>timestamp</c> the sender added, echoed as it is; the listener sends none.</param>
internal readonly record struct AliveRecord(long Serial, string? Timestamp = null)
{
    /// <summary>The record's command.</summary>
    public const string Command = "ALIVE";

    /// <summary>The parameter that numbers the question.</summary>
    internal const string SerialName = "serial";

    /// <summary>The parameter the sender may add, echoed as it is.</summary>
    internal const string TimestampName = "timestamp";

    /// <summary>The record's wire text.</summary>
    public string Write() => WriteText(Command, Serial, Timestamp);

    /// <summary>The answer: ABSOLUTELY with the same serial and timestamp.</summary>
    public AbsolutelyRecord Answer() => new(Serial, Timestamp);

    /// <summary>Reads an ALIVE record: <c>serial</c> is a whole number of at least 0; <c>timestamp</c> is optional text.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out AliveRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetNumber(message, SerialName, 0, out var serial, out error)) return false;
        record = new AliveRecord(serial, RecordFields.GetOptional(message, TimestampName));
        return true;
    }

    /// <summary>The text of ALIVE or ABSOLUTELY: <c>serial</c>, then <c>timestamp</c> when there is one.</summary>
    internal static string WriteText(string command, long serial, string? timestamp)
    {
        var number = serial.ToString(CultureInfo.InvariantCulture);
        return timestamp is { Length: > 0 }
            ? MessageWriter.Write(command, [new(SerialName, number), new(TimestampName, timestamp)])
            : MessageWriter.Write(command, [new(SerialName, number)]);
    }
}
