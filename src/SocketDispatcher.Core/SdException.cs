namespace SocketDispatcher;

/// <summary>
/// The kind of a <see cref="SdException"/>, so that front-ends can map it to their own categories
/// (PowerShell's <c>ErrorCategory</c>, the <c>sd</c> exit code).
/// </summary>
public enum SdErrorKind
{
    /// <summary>A value given by the caller is malformed (an endpoint, a parameter, an option).</summary>
    InvalidArgument,
    /// <summary>A file or other named resource does not exist.</summary>
    NotFound,
    /// <summary>A resource is taken or exhausted (an address in use, a full queue).</summary>
    ResourceUnavailable,
    /// <summary>A connection could not be opened, or broke.</summary>
    ConnectionError,
    /// <summary>An operation did not finish in the time allowed.</summary>
    Timeout,
    /// <summary>A peer broke the message or handoff protocol.</summary>
    Protocol,
    /// <summary>The operating system or a peer check refused access.</summary>
    PermissionDenied,
    /// <summary>The operation is not valid in the object's current state.</summary>
    InvalidOperation,
    /// <summary>A TLS handshake or certificate check failed.</summary>
    Security,
}

/// <summary>
/// The one exception type that SocketDispatcher's public API throws for failures a user can act on.
/// <see cref="Exception.Message"/> is a single line that says what is wrong and names the bad part;
/// <see cref="Reason"/> is a stable identifier (for example <c>EndpointInvalid</c>) used in
/// PowerShell's <c>FullyQualifiedErrorId</c>; <see cref="Exception.InnerException"/> keeps the OS error.
/// </summary>
public sealed class SdException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="kind">What kind of failure this is.</param>
    /// <param name="reason">A stable PascalCase identifier, such as <c>AddressInUse</c>.</param>
    /// <param name="message">One line that says what is wrong and what to do.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SdException(SdErrorKind kind, string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Reason = reason;
    }

    /// <summary>What kind of failure this is.</summary>
    public SdErrorKind Kind { get; }

    /// <summary>A stable PascalCase identifier of the failure, such as <c>AddressInUse</c>.</summary>
    public string Reason { get; }
}
