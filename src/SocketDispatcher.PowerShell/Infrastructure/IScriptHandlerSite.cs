using System.Collections.ObjectModel;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Where a <see cref="ScriptHandlerHost"/> runs its scriptblocks and sends what they write: the one
/// thread that may run PowerShell there (the cmdlet's pipeline thread, or a job's thread in a runspace
/// of its own), and the streams of the cmdlet or of the job.
/// </summary>
internal interface IScriptHandlerSite
{
    /// <summary>Cancelled by Ctrl+C or Stop-Job: the dispatcher then closes its connections.</summary>
    CancellationToken CancelToken { get; }

    /// <summary>Blocks this thread until <paramref name="task"/> completes, and rethrows its failure.</summary>
    void Wait(Task task);

    /// <summary>Runs a .ps1 file here and returns its output.</summary>
    /// <exception cref="RuntimeException">The file failed.</exception>
    Collection<PSObject> InvokeFile(string path);

    /// <summary>Writes an object a scriptblock output that is not a reply, or a message with no handler.</summary>
    void WriteObject(object item);

    /// <summary>Writes the failure of one scriptblock; the dispatcher goes on.</summary>
    void WriteError(ErrorRecord record);
}
