namespace SocketDispatcher.Listening;

/// <summary>The words <c>STATUS</c> writes for the states, lower case, and their reading (any case).</summary>
internal static class SdStateText
{
    public static string ToWire(SdListenerState state) => state switch
    {
        SdListenerState.Running => "running",
        SdListenerState.Stopping => "stopping",
        SdListenerState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string ToWire(SdDispatcherState state) => state switch
    {
        SdDispatcherState.Starting => "starting",
        SdDispatcherState.Ready => "ready",
        SdDispatcherState.Exiting => "exiting",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Reads a state word case-insensitively; false for a number or an unknown word.</summary>
    public static bool TryParse<T>(string? text, out T state)
        where T : struct, Enum
    {
        state = default;
        return text is { Length: > 0 } && !char.IsAsciiDigit(text[0]) && text[0] != '-' && Enum.TryParse(text, ignoreCase: true, out state) && Enum.IsDefined(state);
    }
}
