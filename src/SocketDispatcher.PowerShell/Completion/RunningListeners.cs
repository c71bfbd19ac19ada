namespace SocketDispatcher.PowerShell;

/// <summary>The listeners completers offer: this process's, and those found under the default runtime base.</summary>
internal static class RunningListeners
{
    // Completion runs while the user types: a listener that does not answer at once is left out.
    private static readonly TimeSpan s_answerTime = TimeSpan.FromMilliseconds(500);

    public static IReadOnlyList<SdListenerInfo> Get()
    {
        var found = SdListenerRegistry.Listeners.Select(SdListenerInfo.Of).ToList();
        foreach (var control in SdListenerInfo.FindControlSockets())
        {
            if (SdListenerRegistry.Owns(control)) continue;
            try
            {
                found.Add(SdListenerInfo.QueryAsync(control, new SdSignalOptions { Timeout = s_answerTime }).GetAwaiter().GetResult());
            }
            catch (SdException)
            {
                // A socket file left behind: nothing to offer.
            }
        }

        return found;
    }
}
