using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// Reads the parameters of a handoff record for the record types (<see cref="ConnectionRecord"/>, ...):
/// each failure is one line that names the command, the parameter and the bad value, for the
/// receiving side to log as a bad record (docs/handoff-protocol.md, "Bad records").
/// </summary>
internal static class RecordFields
{
    /// <summary>The parameter of ACCEPTED, CLOSED and CONNECTION that names connections.</summary>
    public const string Id = "id";

    /// <summary>The most characters of a bad value an error quotes.</summary>
    private const int MaxShown = 64;

    /// <summary>Whether <paramref name="message"/> is a <paramref name="command"/> record.</summary>
    public static bool IsCommand(SdMessage message, string command, out string error)
    {
        error = string.Equals(message.Command, command, StringComparison.Ordinal) ? string.Empty : $"expected {command}, got {Show(message.Command)}";
        return error.Length == 0;
    }

    /// <summary>A parameter that must be present (its value may be empty).</summary>
    public static bool TryGetText(SdMessage message, string name, out string value, out string error)
    {
        if (message.GetParameter(name) is { } text)
        {
            value = text;
            error = string.Empty;
            return true;
        }

        value = string.Empty;
        error = $"{message.Command} without '{name}'";
        return false;
    }

    /// <summary>A parameter that may be absent or empty: null then.</summary>
    public static string? GetOptional(SdMessage message, string name) => message.GetParameter(name) is { Length: > 0 } text ? text : null;

    /// <summary>A whole number of ASCII digits (no sign, no spaces), at least <paramref name="minimum"/>.</summary>
    public static bool TryGetNumber(SdMessage message, string name, long minimum, out long value, out string error)
    {
        value = 0;
        if (!TryGetText(message, name, out var text, out error)) return false;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum) return true;
        error = $"{message.Command}: '{name}' is not a whole number >= {minimum.ToString(CultureInfo.InvariantCulture)}: {Show(text)}";
        value = 0;
        return false;
    }

    /// <summary>An <see cref="int"/>, at least <paramref name="minimum"/>.</summary>
    public static bool TryGetInt32(SdMessage message, string name, int minimum, out int value, out string error)
    {
        value = 0;
        if (!TryGetNumber(message, name, minimum, out var number, out error)) return false;
        if (number <= int.MaxValue)
        {
            value = (int)number;
            return true;
        }

        error = $"{message.Command}: '{name}' is too large: {number.ToString(CultureInfo.InvariantCulture)}";
        return false;
    }

    /// <summary><c>true</c> or <c>false</c>, nothing else.</summary>
    public static bool TryGetBoolean(SdMessage message, string name, out bool value, out string error)
    {
        value = false;
        if (!TryGetText(message, name, out var text, out error)) return false;
        switch (text)
        {
            case "true":
                value = true;
                return true;
            case "false":
                return true;
            default:
                error = $"{message.Command}: '{name}' is neither true nor false: {Show(text)}";
                return false;
        }
    }

    /// <summary>The <c>id</c> of one connection.</summary>
    public static bool TryGetId(SdMessage message, out ConnectionId id, out string error)
    {
        id = default;
        if (!TryGetText(message, Id, out var text, out error)) return false;
        if (ConnectionId.TryParse(text, out id)) return true;
        error = $"{message.Command}: '{Id}' is not a connection id: {Show(text)}";
        return false;
    }

    /// <summary>The <c>id</c> of one connection or several, comma-separated (<c>id=4,5,6</c>).</summary>
    public static bool TryGetIds(SdMessage message, out ConnectionId[] ids, out string error)
    {
        ids = [];
        if (!TryGetText(message, Id, out var text, out error)) return false;
        var parts = text.Split(',');
        var read = new ConnectionId[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!ConnectionId.TryParse(parts[i], out read[i]))
            {
                error = $"{message.Command}: '{Id}' is not a list of connection ids: {Show(text)}";
                return false;
            }
        }

        ids = read;
        return true;
    }

    /// <summary>The text of <paramref name="command"/> naming <paramref name="ids"/>: <c>CLOSED id=4</c>, <c>ACCEPTED id=4,5,6</c>.</summary>
    public static string WriteIds(string command, IReadOnlyList<ConnectionId> ids)
    {
        if (ids.Count == 0) throw new ArgumentException($"{command} names at least one connection", nameof(ids));
        var list = ids.Count == 1 ? ids[0].ToString() : string.Join(',', ids);
        return MessageWriter.Write(command, [new(Id, list)]);
    }

    /// <summary>A value as an error shows it: quoted, on one line, at most <see cref="MaxShown"/> characters.</summary>
    public static string Show(string value)
    {
        var shown = value.Length > MaxShown ? value[..MaxShown] + "..." : value;
        return "'" + shown.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";
    }
}
