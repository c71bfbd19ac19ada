namespace SocketDispatcher;

/// <summary>Options of a one-shot signal (<c>sd signal</c>, <c>Send-SdMessage -Endpoint</c>).</summary>
public sealed class SdSignalOptions
{
    /// <summary>Wait for one answer and return it. Default: false.</summary>
    public bool WaitForReply { get; init; }

    /// <summary>How long to wait for the connection and for the answer. Default: 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The shared secret added as the <c>secret_code</c> parameter, for control endpoints that require one. Default: null.</summary>
    public string? SecretCode { get; init; }

    /// <summary>TLS settings for tls:// endpoints.</summary>
    public SdTlsClientOptions Tls { get; init; } = new();

    /// <summary>Log the message and the answer. Default: false.</summary>
    public bool Trace { get; init; }
}
