using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Lists the clients connected in this process and not disconnected yet.</para>
/// <para type="description">IsConnected tells whether the server still holds the connection; a
/// client the server closed stays listed until Disconnect-SdClient.</para>
/// </summary>
/// <example><code>Get-SdClient | Disconnect-SdClient</code></example>
[Cmdlet(VerbsCommon.Get, "SdClient")]
[OutputType(typeof(SdConnection))]
public sealed class GetSdClientCommand : PSCmdlet
{
    /// <summary>Only the clients whose id (<c>client-3</c>) matches one of these wildcard patterns.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Id { get; set; }

    /// <summary>Writes the clients, oldest first; an id without wildcards that matches none is an error.</summary>
    protected override void ProcessRecord()
    {
        var clients = SdClientRegistry.Clients;
        if (Id is null)
        {
            WriteObject(clients, enumerateCollection: true);
            return;
        }

        foreach (var id in Id)
        {
            var pattern = new WildcardPattern(id, WildcardOptions.IgnoreCase);
            var matches = clients.Where(c => pattern.IsMatch(c.Id)).ToArray();
            WriteObject(matches, enumerateCollection: true);
            if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(id))
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"there is no open client '{id}'; Get-SdClient lists the open ones"),
                    "ClientNotFound",
                    ErrorCategory.ObjectNotFound,
                    id));
            }
        }
    }
}
