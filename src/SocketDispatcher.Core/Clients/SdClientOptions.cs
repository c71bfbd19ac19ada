namespace SocketDispatcher;

/// <summary>Options of a client connection (<c>Connect-SdClient</c>, <c>sd client</c>, <c>sd signal</c>).</summary>
public sealed class SdClientOptions
{
    /// <summary>TLS settings for <c>tls://</c> endpoints. Default: trust the system store and check the host name.</summary>
    public SdTlsClientOptions Tls { get; init; } = new();

    /// <summary>How long connecting (TCP and TLS handshake) may take. Default: 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest line accepted from the server, in bytes. Default: 65,536.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>Log every message in and out. Default: false.</summary>
    public bool Trace { get; init; }
}
