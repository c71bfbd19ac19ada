namespace SocketDispatcher;

/// <summary>Options of a datagram message service (<c>sd serve</c>).</summary>
public sealed class SdDatagramServiceOptions
{
    /// <summary>Log every message in and out. Default: false.</summary>
    public bool Trace { get; init; }

    /// <summary>
    /// The shared secret every message must carry as <c>secret_code</c>; a message without it is
    /// ignored and logged. Default: null (none required).
    /// </summary>
    public string? SecretCode { get; init; }
}
