using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// One message for the pipeline thread: run <see cref="Script"/> on it (or, with none, write it to
/// the pipeline), then complete <see cref="Done"/> with the replies to send. A null
/// <see cref="Message"/> is a new connection (the <c>@connected</c> handler).
/// </summary>
internal sealed record ScriptWork(SdMessage? Message, ScriptBlock? Script)
{
    public TaskCompletionSource<IReadOnlyList<SdMessage>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
