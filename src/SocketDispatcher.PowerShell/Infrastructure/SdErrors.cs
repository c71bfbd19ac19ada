using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Builds the <see cref="ErrorRecord"/>s the cmdlets write. The error id is the bare reason
/// (<c>ConnectionRefused</c>); PowerShell appends the cmdlet's type name, so the
/// <c>FullyQualifiedErrorId</c> reads <c>ConnectionRefused,SocketDispatcher.PowerShell.ConnectSdClientCommand</c>.
/// </summary>
internal static class SdErrors
{
    /// <summary>The one place where Core's error kinds become PowerShell error categories.</summary>
    public static ErrorCategory CategoryOf(SdErrorKind kind) => kind switch
    {
        SdErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        SdErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        SdErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        SdErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        SdErrorKind.Timeout => ErrorCategory.OperationTimeout,
        SdErrorKind.Protocol => ErrorCategory.ProtocolError,
        SdErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        SdErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        SdErrorKind.Security => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>An error record for a Core failure: id from <see cref="SdException.Reason"/>, category from its kind.</summary>
    public static ErrorRecord From(SdException exception, object? target)
        => new(exception, exception.Reason, CategoryOf(exception.Kind), target);

    /// <summary>An error record for a line or JSON text that is not a message.</summary>
    public static ErrorRecord MessageInvalid(SdMessageFormatException exception, string text)
        => new(exception, "MessageInvalid", ErrorCategory.ParserError, text)
        {
            ErrorDetails = new ErrorDetails($"'{Shorten(text)}' is not a message: {exception.Message}"),
        };

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
