using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SocketDispatcher;

/// <summary>
/// Durations as operators write them on a command line: a number with a unit, <c>250ms</c>,
/// <c>10s</c>, <c>5m</c>, <c>1h</c>; a bare number is seconds. Used by every <c>sd</c> option that takes a time.
/// </summary>
public static class SdDuration
{
    /// <summary>Reads a duration.</summary>
    /// <param name="text">The duration, such as <c>250ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, or a number of seconds.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="SdException">Not a duration (kind InvalidArgument, reason <c>DurationInvalid</c>).</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value) ? value : throw Invalid(text);
    }

    /// <summary>Reads a duration without throwing.</summary>
    /// <param name="text">The duration text; null is not a duration.</param>
    /// <param name="value">The duration, or <see cref="TimeSpan.Zero"/> when the text is not one.</param>
    /// <returns>Whether <paramref name="text"/> is a duration.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null) return false;
        var span = text.AsSpan().Trim();
        var digits = 0;
        while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.')) digits++;
        if (digits == 0 || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        double? milliseconds = span[digits..] switch
        {
            "ms" => number,
            "" or "s" => number * 1000,
            "m" or "min" => number * 60_000,
            "h" => number * 3_600_000,
            _ => null,
        };
        // Past TimeSpan.MaxValue (about 29,000 years) is a typo, not a duration: refused rather than an OverflowException.
        if (milliseconds is not { } ms || ms >= TimeSpan.MaxValue.TotalMilliseconds) return false;
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    private static SdException Invalid(string text)
        => new(SdErrorKind.InvalidArgument, "DurationInvalid", $"'{text}' is not a duration; write it like 250ms, 10s, 5m or 1h");
}
