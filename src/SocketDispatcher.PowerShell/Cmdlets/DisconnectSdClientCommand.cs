using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Closes a client connection and forgets it.</para>
/// <para type="description">Closes with a TLS close_notify and a FIN; messages still queued are
/// dropped. Closing a client twice is not an error.</para>
/// </summary>
/// <example><code>Get-SdClient | Disconnect-SdClient</code></example>
[Cmdlet(VerbsCommunications.Disconnect, "SdClient")]
[OutputType(typeof(SdConnection))]
public sealed class DisconnectSdClientCommand : SdCmdlet
{
    /// <summary>The connection to close: a client, a permanent client or a socket pair's end.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SdConnection[] Client { get; set; } = null!;

    /// <summary>Write each client once it is closed (its counters and CloseReason tell how it ended).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Closes each client.</summary>
    protected override void ProcessRecord()
    {
        foreach (var client in Client)
        {
            Log = SdClientRegistry.LogOf(client);
            var loggerFactory = SdClientRegistry.Remove(client);
            try
            {
                Await(client.DisposeAsync().AsTask());
            }
            catch (Exception ex) when (ex is IOException or SdException)
            {
                // The peer went first; the connection is closed either way.
                WriteVerbose($"{client.Id}: {ex.Message}");
            }
            finally
            {
                loggerFactory?.Dispose();
            }

            if (PassThru) WriteObject(client);
        }
    }
}
