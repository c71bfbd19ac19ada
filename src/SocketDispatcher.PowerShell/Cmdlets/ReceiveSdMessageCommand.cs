using System.Globalization;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Takes messages that arrived on a client connection.</para>
/// <para type="description">Waits until -Count messages (whose command is one of -Command, when given;
/// others are skipped) have arrived, writing each at once. Nothing in time is a ReceiveTimeout
/// error; a connection that closes first is a ConnectionClosed error. Ctrl+C stops the wait.</para>
/// </summary>
/// <example><code>$client | Receive-SdMessage -Command HI -Timeout 2s</code></example>
[Cmdlet(VerbsCommunications.Receive, "SdMessage")]
[OutputType(typeof(SdMessage))]
public sealed class ReceiveSdMessageCommand : SdCmdlet
{
    /// <summary>The connection to read from (from Connect-SdClient or New-SdSocketPair).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SdConnection Client { get; set; } = null!;

    /// <summary>How long to wait for all <see cref="Count"/> messages (<c>5s</c>, <c>500ms</c>). Default: 5 s.</summary>
    [Parameter]
    [SdDurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Only these commands (case-insensitive); other messages are skipped.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdCommandCompleter))]
    public string[]? Command { get; set; }

    /// <summary>How many messages to wait for. Default: 1.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = 1;

    /// <summary>Receives from one client.</summary>
    protected override void ProcessRecord()
    {
        Log = SdClientRegistry.LogOf(Client);
        var deadline = DateTime.UtcNow + Timeout;
        var received = 0;
        while (received < Count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                WriteTimeout(received, null);
                return;
            }

            SdMessage? message;
            try
            {
                message = Await(Client.ReceiveAsync(left, CancelToken).AsTask());
            }
            catch (SdException ex) when (ex.Reason == "ReceiveTimeout")
            {
                WriteTimeout(received, ex);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (message is null)
            {
                WriteError(new ErrorRecord(
                    new IOException($"{Client.Id} ({Client.Target}): the connection closed after {received} of {Count} message(s){Filter()}: {Client.CloseReason ?? "closed"}"),
                    "ConnectionClosed",
                    ErrorCategory.ConnectionError,
                    Client));
                return;
            }

            SdPeerCommands.Note(message, Client.Id, Client.Target);
            if (Command is not null && !Command.Contains(message.Command, StringComparer.OrdinalIgnoreCase))
            {
                WriteVerbose($"{Client.Id}: skipped {message.Command}");
                continue;
            }

            WriteObject(message);
            received++;
        }
    }

    private void WriteTimeout(int received, Exception? inner)
        => WriteError(new ErrorRecord(
            new TimeoutException(string.Format(CultureInfo.InvariantCulture, "{0} ({1}): {2} of {3} message(s){4} arrived within {5:0.###} s", Client.Id, Client.Target, received, Count, Filter(), Timeout.TotalSeconds), inner),
            "ReceiveTimeout",
            ErrorCategory.OperationTimeout,
            Client));

    private string Filter() => Command is null ? string.Empty : " " + string.Join("/", Command);
}
