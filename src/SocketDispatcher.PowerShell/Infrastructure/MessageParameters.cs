using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>Turns a <c>-Parameter @{...}</c> hashtable into message parameters.</summary>
internal static class MessageParameters
{
    /// <summary>
    /// Names are the keys' text; values are written with the invariant culture (<c>1.5</c>, never
    /// <c>1,5</c>), booleans as eventdispatcher writes them (<c>true</c>/<c>false</c>), dates in
    /// round-trip form, and null as an empty value.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> From(IDictionary? table)
    {
        if (table is null) yield break;
        foreach (DictionaryEntry entry in table)
        {
            yield return new(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty, ValueText(Unwrap(entry.Value)));
        }
    }

    private static string ValueText(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        SwitchParameter flag => flag.IsPresent ? "true" : "false",
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
