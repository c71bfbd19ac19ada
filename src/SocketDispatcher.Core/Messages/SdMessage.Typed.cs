using System.Net;

namespace SocketDispatcher;

public sealed partial class SdMessage
{
    /// <summary>The value of a parameter that must be there.</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    /// <exception cref="SdException">The parameter is missing (kind InvalidArgument, reason <c>ParameterMissing</c>).</exception>
    public string GetString(string name) => GetParameter(name) ?? throw Missing(name);

    /// <summary>A parameter as a 64-bit integer (eventdispatcher's <c>get_integer_parameter()</c>): decimal, optional sign, invariant culture.</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>) or not an integer (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public long GetInt64(string name) => ReadRequired(name, ParameterValues.IntegerForm, (string text, out long value) => ParameterValues.TryParseInt64(text, out value));

    /// <summary>A parameter as a 64-bit integer, or <paramref name="defaultValue"/> when it is missing.</summary>
    /// <exception cref="SdException">The parameter is there and is not an integer (kind InvalidArgument, reason <c>ParameterInvalid</c>).</exception>
    public long GetInt64(string name, long defaultValue) => HasParameter(name) ? GetInt64(name) : defaultValue;

    /// <summary>A parameter as a 32-bit integer: decimal, optional sign, invariant culture.</summary>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>), not an integer or out of the Int32 range (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public int GetInt32(string name)
    {
        var value = GetInt64(name);
        if (value is < int.MinValue or > int.MaxValue) throw Invalid(name, "an integer from -2147483648 to 2147483647");
        return (int)value;
    }

    /// <summary>A parameter as a 32-bit integer, or <paramref name="defaultValue"/> when it is missing.</summary>
    /// <exception cref="SdException">The parameter is there and is not a 32-bit integer (kind InvalidArgument, reason <c>ParameterInvalid</c>).</exception>
    public int GetInt32(string name, int defaultValue) => HasParameter(name) ? GetInt32(name) : defaultValue;

    /// <summary>A parameter as a boolean: <c>true</c>/<c>false</c> (as eventdispatcher writes them), <c>yes</c>/<c>no</c>, <c>on</c>/<c>off</c>, <c>1</c>/<c>0</c>, any case.</summary>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>) or not a boolean (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public bool GetBoolean(string name) => ReadRequired(name, ParameterValues.BooleanForm, (string text, out bool value) => ParameterValues.TryParseBoolean(text, out value));

    /// <summary>A parameter as a boolean, or <paramref name="defaultValue"/> when it is missing.</summary>
    /// <exception cref="SdException">The parameter is there and is not a boolean (kind InvalidArgument, reason <c>ParameterInvalid</c>).</exception>
    public bool GetBoolean(string name, bool defaultValue) => HasParameter(name) ? GetBoolean(name) : defaultValue;

    /// <summary>
    /// A parameter as a time span: seconds as eventdispatcher writes them (<c>1.5</c>,
    /// <c>12.000000250</c>, read to the 100 ns tick), or a duration with a unit (<c>250ms</c>,
    /// <c>10s</c>, <c>5m</c>, <c>1h</c>). Never negative.
    /// </summary>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>) or not a time span (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public TimeSpan GetTimeSpan(string name) => ReadRequired(name, ParameterValues.TimeSpanForm, (string text, out TimeSpan value) => ParameterValues.TryParseTimeSpan(text, out value));

    /// <summary>A parameter as a time span, or <paramref name="defaultValue"/> when it is missing.</summary>
    /// <exception cref="SdException">The parameter is there and is not a time span (kind InvalidArgument, reason <c>ParameterInvalid</c>).</exception>
    public TimeSpan GetTimeSpan(string name, TimeSpan defaultValue) => HasParameter(name) ? GetTimeSpan(name) : defaultValue;

    /// <summary>A parameter as a point in time, from Unix time in eventdispatcher's <c>seconds.nanoseconds</c> form (read to the 100 ns tick, UTC).</summary>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>) or not a timestamp (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public DateTimeOffset GetTimestamp(string name) => ReadRequired(name, "Unix time in seconds such as 1700000000.123456789", (string text, out DateTimeOffset value) => ParameterValues.TryParseTimestamp(text, out value));

    /// <summary>A parameter as an IP address and port: <c>127.0.0.1:4040</c> or <c>[::1]:4040</c> (no name is resolved).</summary>
    /// <param name="name">The parameter name (case-sensitive).</param>
    /// <param name="defaultPort">The port of an address written without one; null (the default) requires a port.</param>
    /// <exception cref="SdException">The parameter is missing (reason <c>ParameterMissing</c>) or not an address (reason <c>ParameterInvalid</c>); kind InvalidArgument.</exception>
    public IPEndPoint GetEndPoint(string name, int? defaultPort = null)
        => ReadRequired<IPEndPoint?>(name, defaultPort is null ? ParameterValues.AddressForm : "an IP address with an optional port, such as 127.0.0.1 or [::1]:4040", (string text, out IPEndPoint? value) => ParameterValues.TryParseEndPoint(text, defaultPort, out value))!;

    private delegate bool TryRead<T>(string text, out T value);

    private T ReadRequired<T>(string name, string form, TryRead<T> read)
    {
        var text = GetString(name);
        return read(text, out var value) ? value : throw Invalid(name, form);
    }

    private SdException Missing(string name)
        => new(SdErrorKind.InvalidArgument, "ParameterMissing", $"{Command}: parameter '{name}' is missing");

    private SdException Invalid(string name, string form)
        => new(SdErrorKind.InvalidArgument, "ParameterInvalid", $"{Command}: parameter {name}={MessageGrammar.Display(Parameters[name])} is not {form}");
}
