namespace SocketDispatcher;

/// <summary>Whether a message definition wants a parameter.</summary>
public enum SdParameterPresence
{
    /// <summary>May be there or not (the default).</summary>
    Optional,
    /// <summary>Must be there.</summary>
    Required,
    /// <summary>Must not be there.</summary>
    Forbidden,
}
