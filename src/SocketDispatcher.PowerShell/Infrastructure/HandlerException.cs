using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// A handler that cannot run, with the error record that says why (HandlerInvalid, HandlerFileFailed,
/// HandlerFileInvalid): <c>Start-SdDispatcher</c> ends with it, and its job fails with it.
/// </summary>
internal sealed class HandlerException(ErrorRecord record)
    : RuntimeException(record.Exception.Message, record.Exception, record);
