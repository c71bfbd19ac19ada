using System.Globalization;
using System.Net;

namespace SocketDispatcher;

/// <summary>
/// How typed parameter values are read, shared by <see cref="SdMessage"/>'s typed getters and the
/// message definitions, so that a definition accepts exactly what a getter reads.
/// </summary>
internal static class ParameterValues
{
    /// <summary>What an integer looks like, for error messages.</summary>
    public const string IntegerForm = "an integer such as -35 or +101";

    /// <summary>What a boolean looks like, for error messages.</summary>
    public const string BooleanForm = "a boolean: true/false, yes/no, on/off or 1/0";

    /// <summary>What a time span looks like, for error messages.</summary>
    public const string TimeSpanForm = "a time span: seconds such as 1.5, or 250ms, 10s, 5m, 1h";

    /// <summary>What an address looks like, for error messages.</summary>
    public const string AddressForm = "an address such as 127.0.0.1:4040 or [::1]:4040";

    /// <summary>A decimal integer with an optional sign (eventdispatcher writes <c>+101</c> and <c>-35</c>), invariant culture.</summary>
    public static bool TryParseInt64(string text, out long value)
        => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary><c>true</c>/<c>false</c> (as eventdispatcher writes them), <c>yes</c>/<c>no</c>, <c>on</c>/<c>off</c>, <c>1</c>/<c>0</c>, any case.</summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on" or "1":
                value = true;
                return true;
            case "false" or "no" or "off" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Seconds as eventdispatcher's <c>timespec_ex</c> writes them (<c>seconds.nanoseconds</c>,
    /// read to the 100 ns tick, no rounding through floating point), or a duration with a unit
    /// (<see cref="SdDuration"/>: <c>250ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>). Not negative.
    /// </summary>
    public static bool TryParseTimeSpan(string text, out TimeSpan value)
    {
        if (TryParseSeconds(text, out var ticks))
        {
            value = TimeSpan.FromTicks(ticks);
            return true;
        }

        return SdDuration.TryParse(text, out value);
    }

    /// <summary>Unix time as <c>seconds.nanoseconds</c> (eventdispatcher's timestamps, such as <c>ALIVE</c>'s).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        if (TryParseSeconds(text, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)
        {
            value = DateTimeOffset.UnixEpoch.AddTicks(ticks);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>An IPv4 <c>a.b.c.d:port</c> or IPv6 <c>[::1]:port</c> address; the port may be left out when <paramref name="defaultPort"/> is given.</summary>
    public static bool TryParseEndPoint(string text, int? defaultPort, out IPEndPoint? value)
    {
        value = null;
        if (text.Length == 0 || !IPEndPoint.TryParse(text, out var endPoint)) return false;
        var hasPort = text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Contains(':', StringComparison.Ordinal) && text.IndexOf(':') == text.LastIndexOf(':');
        if (!hasPort)
        {
            if (defaultPort is not { } port) return false;
            endPoint.Port = port;
        }

        value = endPoint;
        return true;
    }

    private static bool TryParseSeconds(string text, out long ticks)
    {
        ticks = 0;
        var span = text.AsSpan();
        var dot = span.IndexOf('.');
        var whole = dot < 0 ? span : span[..dot];
        var fraction = dot < 0 ? [] : span[(dot + 1)..];
        if (whole.Length == 0 || fraction.Length > 9) return false;
        foreach (var c in fraction)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }

        if (!long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond - 1) return false;
        long fractionTicks = 0;
        for (var i = 0; i < 7; i++) fractionTicks = fractionTicks * 10 + (i < fraction.Length ? fraction[i] - '0' : 0);
        ticks = seconds * TimeSpan.TicksPerSecond + fractionTicks;
        return true;
    }
}
