using System.Collections;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Builds a message in eventdispatcher's format.</para>
/// <para type="description">Parameter values are written with the invariant culture, and booleans as
/// true/false. The message's ToString() gives its wire text, ToJson() its JSON form.</para>
/// </summary>
/// <example><code>New-SdMessage -Command ALIVE -Parameter @{ serial = 1 }</code></example>
[Cmdlet(VerbsCommon.New, "SdMessage")]
[OutputType(typeof(SdMessage))]
public sealed class NewSdMessageCommand : PSCmdlet
{
    /// <summary>The command, <c>[A-Z_][A-Z0-9_]*</c>.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = null!;

    /// <summary>The parameters: names <c>[A-Za-z_][A-Za-z0-9_]*</c>, any values.</summary>
    [Parameter(Position = 1)]
    public IDictionary? Parameter { get; set; }

    /// <summary>The destination service, or none.</summary>
    [Parameter]
    public string? Service { get; set; }

    /// <summary>The destination server (written only with a service), or none.</summary>
    [Parameter]
    public string? Server { get; set; }

    /// <summary>Builds and writes the message.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(new SdMessage(Command, MessageParameters.From(Parameter), Server, Service));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "MessageInvalid", ErrorCategory.InvalidArgument, Command));
        }
    }
}
