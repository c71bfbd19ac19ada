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

    /// <summary>Reads one of the state words, in any case; false for anything else (a number, a list, spaces).</summary>
    public static bool TryParse<T>(string? text, out T state)
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(text, value.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                state = value;
                return true;
            }
        }

        state = default;
        return false;
    }
}
