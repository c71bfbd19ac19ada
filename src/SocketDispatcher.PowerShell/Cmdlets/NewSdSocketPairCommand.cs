using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Creates two connected AF_UNIX sockets (socketpair(2)) that speak messages.</para>
/// <para type="description">Writes the two ends, pair-Na and pair-Nb, as SdConnection objects: what
/// Send-SdMessage sends on one, Receive-SdMessage reads on the other. -Type Stream carries one message
/// per line; Datagram and SeqPacket one message per record. Both ends stay listed by Get-SdClient
/// until Disconnect-SdClient.</para>
/// </summary>
/// <example><code>$a, $b = New-SdSocketPair -Type SeqPacket; $a | Send-SdMessage PING; $b | Receive-SdMessage</code></example>
[Cmdlet(VerbsCommon.New, "SdSocketPair")]
[OutputType(typeof(SdConnection))]
public sealed class NewSdSocketPairCommand : SdCmdlet
{
    /// <summary>The socket type: Stream (SOCK_STREAM), Datagram (SOCK_DGRAM) or SeqPacket (SOCK_SEQPACKET). Default: Stream.</summary>
    [Parameter(Position = 0)]
    public SdSocketType Type { get; set; } = SdSocketType.Stream;

    /// <summary>Log every message in and out; shown with -Verbose by Send-SdMessage and Receive-SdMessage.</summary>
    [Parameter]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>Creates the pair and writes both ends.</summary>
    protected override void ProcessRecord()
    {
        var loggerFactory = PipelineLog.CreateFactory(out var log);
        SdConnection[] ends;
        try
        {
            ends = SdSocketPair.Create(Type, loggerFactory, TraceMessages);
        }
        catch (SdException ex)
        {
            loggerFactory.Dispose();
            ThrowTerminatingError(SdErrors.From(ex, Type));
            return;
        }

        // The factory is shared by both ends: Disconnect-SdClient disposes it with the last one.
        SdClientRegistry.Add(ends[0], loggerFactory, log);
        SdClientRegistry.Add(ends[1], loggerFactory, log);
        WriteObject(ends, enumerateCollection: true);
    }
}
