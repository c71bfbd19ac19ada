using System.Collections;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Builds a message in eventdispatcher's format.</para>
/// <para type="description">Parameter values are written with the invariant culture, and booleans as
/// true/false. The message's ToString() gives its wire text, ToJson() its JSON form. With -ReplyTo
/// the message is addressed to the sender of a received message, as eventdispatcher's reply_to() does
/// (a handler scriptblock outputs it to answer).</para>
/// </summary>
/// <example><code>New-SdMessage -Command ALIVE -Parameter @{ serial = 1 }</code></example>
/// <example><code>@{ '*' = { param($m) New-SdMessage UNKNOWN_HERE @{ command = $m.Command } -ReplyTo $m } }</code></example>
[Cmdlet(VerbsCommon.New, "SdMessage", DefaultParameterSetName = AddressSet)]
[OutputType(typeof(SdMessage), ParameterSetName = new[] { AddressSet, ReplySet })]
public sealed class NewSdMessageCommand : PSCmdlet
{
    /// <summary>A message addressed with <see cref="Service"/> and <see cref="Server"/>.</summary>
    public const string AddressSet = "Address";

    /// <summary>A reply to <see cref="ReplyTo"/>'s sender.</summary>
    public const string ReplySet = "Reply";

    /// <summary>The command, <c>[A-Z_][A-Z0-9_]*</c>.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = null!;

    /// <summary>The parameters: names <c>[A-Za-z_][A-Za-z0-9_]*</c>, any values.</summary>
    [Parameter(Position = 1)]
    public IDictionary? Parameter { get; set; }

    /// <summary>The destination service, or none.</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public string? Service { get; set; }

    /// <summary>The destination server (written only with a service), or none.</summary>
    [Parameter(ParameterSetName = AddressSet)]
    public string? Server { get; set; }

    /// <summary>A received message whose sender the new message is addressed to.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReplySet)]
    [ValidateNotNull]
    public SdMessage ReplyTo { get; set; } = null!;

    /// <summary>Builds and writes the message.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(ParameterSetName == ReplySet
                ? ReplyTo.Reply(Command, MessageParameters.From(Parameter))
                : new SdMessage(Command, MessageParameters.From(Parameter), Server, Service));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "MessageInvalid", ErrorCategory.InvalidArgument, Command));
        }
    }
}
