using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Reads messages from wire text (or JSON).</para>
/// <para type="description">Each input line becomes an SdMessage. A line that starts with '{' is read as
/// JSON (no message line can start with it), so a mix of wire text and JSON, such as eventdispatcher's
/// to_json() output, converts without -Json. A line that is not a message is a non-terminating error
/// (MessageInvalid, ParserError) and the next lines are still read.</para>
/// </summary>
/// <example><code>Get-Content trace.txt | ConvertFrom-SdMessage</code></example>
[Cmdlet(VerbsData.ConvertFrom, "SdMessage")]
[OutputType(typeof(SdMessage))]
public sealed class ConvertFromSdMessageCommand : PSCmdlet
{
    /// <summary>One message line, or with <see cref="Json"/> one JSON object.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = null!;

    /// <summary>Read every input as the JSON form (<c>SdMessage.ToJson()</c>, eventdispatcher's <c>to_json()</c>), even one that does not start with '{'.</summary>
    [Parameter]
    public SwitchParameter Json { get; set; }

    /// <summary>Reads one message.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var json = Json || InputObject.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);
            WriteObject(json ? SdMessage.FromJson(InputObject) : SdMessage.Parse(InputObject));
        }
        catch (SdMessageFormatException ex)
        {
            WriteError(SdErrors.MessageInvalid(ex, InputObject));
        }
    }
}
