namespace SocketDispatcher;

/// <summary>The type a message definition gives a parameter; each reads as the matching <see cref="SdMessage"/> getter does.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The words of the definition files (type = 'string', 'integer'), read case-insensitively into these names.")]
public enum SdParameterType
{
    /// <summary>Any text (the default).</summary>
    String,
    /// <summary>A decimal integer with an optional sign, as <see cref="SdMessage.GetInt64(string)"/> reads it.</summary>
    Integer,
    /// <summary>true/false, yes/no, on/off or 1/0, as <see cref="SdMessage.GetBoolean(string)"/> reads it.</summary>
    Boolean,
    /// <summary>An IP address and port, as <see cref="SdMessage.GetEndPoint(string, int?)"/> reads it.</summary>
    Address,
    /// <summary>Seconds or a duration with a unit, as <see cref="SdMessage.GetTimeSpan(string)"/> reads it.</summary>
    TimeSpan,
}
