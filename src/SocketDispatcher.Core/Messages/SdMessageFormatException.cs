namespace SocketDispatcher;

/// <summary>A line that is not a valid message. <see cref="Exception.Message"/> reads "at position N: reason".</summary>
public sealed class SdMessageFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="position">The 0-based character index in the line where the problem is.</param>
    /// <param name="reason">Why the line is rejected, such as "parameter without '='".</param>
    public SdMessageFormatException(int position, string reason)
        : base($"at position {position}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>
    /// The 0-based character index in the line where the problem is; for <see cref="SdMessage.FromJson(string)"/>,
    /// the byte offset in the UTF-8 form of the JSON text, as JSON readers count.
    /// </summary>
    public int Position { get; }

    /// <summary>Why the line is rejected, without the position.</summary>
    public string Reason { get; }
}
