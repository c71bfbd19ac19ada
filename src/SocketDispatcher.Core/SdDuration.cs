using System.Globalization;

namespace SocketDispatcher;

/// <summary>
/// Durations as operators write them on a command line: a number with a unit, <c>250ms</c>,
/// <c>10s</c>, <c>5m</c>, <c>1h</c>; a bare number is seconds. Used by every <c>sd</c> option that takes a time.
/// </summary>
public static class SdDuration
{
    /// <summary>Reads a duration.</summary>
    /// <exception cref="SdException">Not a duration (kind InvalidArgument, reason <c>DurationInvalid</c>).</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.')) digits++;
        if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid(text);
        }

        var milliseconds = span[digits..] switch
        {
            "ms" => value,
            "" or "s" => value * 1000,
            "m" or "min" => value * 60_000,
            "h" => value * 3_600_000,
            _ => throw Invalid(text),
        };
        return TimeSpan.FromMilliseconds(milliseconds);
    }

    private static SdException Invalid(string text)
        => new(SdErrorKind.InvalidArgument, "DurationInvalid", $"'{text}' is not a duration; write it like 250ms, 10s, 5m or 1h");
}
