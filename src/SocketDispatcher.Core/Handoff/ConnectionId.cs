using System.Globalization;

namespace SocketDispatcher.Handoff;

/// <summary>
/// The listener's id of one accepted connection, as the handoff records carry it (<c>id=17</c>): decimal
/// digits. It keeps the text it was read or made from, so that echoing it back (ACCEPTED, CLOSED) and
/// naming it in logs allocates nothing more (docs/handoff-protocol.md, "Records").
/// </summary>
internal readonly record struct ConnectionId
{
    /// <summary>The most digits an id has: any <see cref="long"/> fits.</summary>
    public const int MaxDigits = 19;

    private ConnectionId(string text) => Text = text;

    /// <summary>The id as written on the wire; null only for <c>default</c>.</summary>
    public string Text { get; }

    /// <summary>The id of the <paramref name="number"/>th connection, as the listener numbers them.</summary>
    public static ConnectionId FromNumber(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        return new ConnectionId(number.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads an id: 1 to <see cref="MaxDigits"/> ASCII digits, nothing else.</summary>
    public static bool TryParse(string? text, out ConnectionId id)
    {
        id = default;
        if (text is not { Length: > 0 and <= MaxDigits }) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }

        id = new ConnectionId(text);
        return true;
    }

    /// <summary>The id as written on the wire.</summary>
    public override string ToString() => Text ?? string.Empty;
}
