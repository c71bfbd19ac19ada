using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// <c>EXIT drain=MS</c>, listener -> dispatcher: stop taking connections, let open conversations run up to
/// the drain time, then close them and exit; a second <c>EXIT drain=0</c> cuts a drain short
/// (docs/handoff-protocol.md, "Shutdown").
/// </summary>
/// <param name="Drain">How long open conversations may go on, whole milliseconds, not negative.</param>
internal readonly record struct ExitRecord(TimeSpan Drain)
{
    /// <summary>The record's command.</summary>
    public const string Command = "EXIT";

    /// <summary>
    /// The longest drain: 49 days. A timer waits at most 2^32 - 2 ms (about 49.7 days;
    /// <see cref="Task.WaitAsync(TimeSpan)"/> refuses more), and the listener waits 5 s beyond the drain.
    /// </summary>
    public static readonly TimeSpan MaxDrain = TimeSpan.FromDays(49);

    private const string DrainName = "drain";

    /// <summary>Whether this EXIT stops at once (<c>drain=0</c>).</summary>
    public bool IsImmediate => (long)Drain.TotalMilliseconds <= 0;

    /// <summary>The record's wire text; the drain is written in whole milliseconds, rounded down.</summary>
    public string Write() => MessageWriter.Write(Command, [new(DrainName, ((long)Drain.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))]);

    /// <summary>Reads an EXIT record: <c>drain</c> is a whole number of milliseconds, from 0 to <see cref="MaxDrain"/>.</summary>
    /// <param name="message">The record as parsed.</param>
    /// <param name="record">The fields, when it is one.</param>
    /// <param name="error">Why it is not, on one line; empty otherwise.</param>
    public static bool TryRead(SdMessage message, out ExitRecord record, out string error)
    {
        record = default;
        if (!RecordFields.IsCommand(message, Command, out error)
            || !RecordFields.TryGetNumber(message, DrainName, 0, out var ms, out error)) return false;
        if (ms > (long)MaxDrain.TotalMilliseconds)
        {
            error = $"{Command}: 'drain' is too large: {ms.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        record = new ExitRecord(TimeSpan.FromMilliseconds(ms));
        return true;
    }
}
