using System.Collections;
using System.Management.Automation;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// <para type="synopsis">Sends a message on a client connection, or straight to an endpoint.</para>
/// <para type="description">With -Client it sends on an open connection (-PassThru writes the message
/// sent). With -Endpoint it connects, sends and closes, as ed-signal does (UDP too); -Reply waits for
/// one answer and writes it. With -ReplyTo it answers a message Start-SdDispatcher wrote to the
/// pipeline, on the connection it came from, addressed to its sender.</para>
/// </summary>
/// <example><code>$client | Send-SdMessage -Command DAD</code></example>
/// <example><code>Send-SdMessage -Endpoint unix:/run/sd/sd/control.sock -Command STATUS -Reply</code></example>
/// <example><code>Start-SdDispatcher unix:/run/sd/x/handoff.sock | ForEach-Object { Send-SdMessage -ReplyTo $_ -Command CLIMB }</code></example>
[Cmdlet(VerbsCommunications.Send, "SdMessage", DefaultParameterSetName = ClientSet)]
[OutputType(typeof(SdMessage), ParameterSetName = new[] { ClientSet, ClientMessageSet, EndpointSet, ReplySet })]
public sealed class SendSdMessageCommand : SdCmdlet
{
    /// <summary>Send <see cref="Command"/> on <see cref="Client"/>.</summary>
    public const string ClientSet = "Client";

    /// <summary>Send <see cref="Message"/> on <see cref="Client"/>.</summary>
    public const string ClientMessageSet = "ClientMessage";

    /// <summary>Send <see cref="Command"/> to <see cref="Endpoint"/> (ed-signal).</summary>
    public const string EndpointSet = "Endpoint";

    /// <summary>Answer <see cref="ReplyTo"/> with <see cref="Command"/>, on the connection it arrived on.</summary>
    public const string ReplySet = "Reply";

    private SdMessage _message = null!;

    /// <summary>The connection to send on (from Connect-SdClient or New-SdSocketPair).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ClientSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ClientMessageSet)]
    [ValidateNotNull]
    public SdConnection Client { get; set; } = null!;

    /// <summary>
    /// The endpoint to send to: tcp://, tls://, unix:, udp:// or unixgram:. Binds from the Control
    /// property of piped objects, so <c>Get-SdListener | Send-SdMessage -Command LOG</c> signals each listener.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EndpointSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Control")]
    [SdEndpointTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(SdEndpointCompleter))]
    public SdEndpoint Endpoint { get; set; } = null!;

    /// <summary>A message a dispatcher received (from Start-SdDispatcher's output) to answer.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ReplySet)]
    [ValidateNotNull]
    public SdMessage ReplyTo { get; set; } = null!;

    /// <summary>The command to send.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ReplySet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ClientSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = EndpointSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SdCommandCompleter))]
    public string Command { get; set; } = null!;

    /// <summary>The command's parameters (values written with the invariant culture).</summary>
    [Parameter(Position = 1, ParameterSetName = ClientSet)]
    [Parameter(Position = 1, ParameterSetName = ReplySet)]
    [Parameter(Position = 2, ParameterSetName = EndpointSet)]
    public IDictionary? Parameter { get; set; }

    /// <summary>A message built with New-SdMessage.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ClientMessageSet)]
    [ValidateNotNull]
    public SdMessage Message { get; set; } = null!;

    /// <summary>Write the message sent.</summary>
    [Parameter(ParameterSetName = ClientSet)]
    [Parameter(ParameterSetName = ClientMessageSet)]
    [Parameter(ParameterSetName = ReplySet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Wait for one answer and write it.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    public SwitchParameter Reply { get; set; }

    /// <summary>How long to wait for the connection and for the answer (<c>5s</c>). Default: 5 s.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [SdDurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The shared secret of a control endpoint that requires one, sent as <c>secret_code</c>.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [ValidateNotNullOrEmpty]
    public string? SecretCode { get; set; }

    /// <summary>A PEM CA certificate the server's certificate must chain to (tls://).</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateAuthority { get; set; }

    /// <summary>Accept any server certificate (development only).</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Log the message and the answer as Verbose records.</summary>
    [Parameter(ParameterSetName = EndpointSet)]
    public SwitchParameter TraceMessages { get; set; }

    /// <summary>Builds the message once, before any is sent: a bad name ends the command.</summary>
    protected override void BeginProcessing()
    {
        if (ParameterSetName == ClientMessageSet)
        {
            _message = Message;
            return;
        }

        try
        {
            _message = new SdMessage(Command, MessageParameters.From(Parameter));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "MessageInvalid", ErrorCategory.InvalidArgument, Command));
        }
    }

    /// <summary>Sends on each client, or to the endpoint.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == EndpointSet) Signal();
        else if (ParameterSetName == ReplySet) Answer(ReplyTo);
        else SendOn(Client);
    }

    private void Answer(SdMessage received)
    {
        try
        {
            Await(received.ReplyAsync(_message.Command, _message.Parameters, CancelToken).AsTask());
        }
        catch (SdException ex)
        {
            WriteError(SdErrors.From(ex, received));
            return;
        }
        catch (IOException ex)
        {
            // The peer left before the answer: say so and go on with the next message.
            WriteError(new ErrorRecord(ex, "ConnectionClosed", ErrorCategory.ConnectionError, received));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (PassThru) WriteObject(received.Reply(_message.Command, _message.Parameters));
    }

    private void SendOn(SdConnection client)
    {
        Log = SdClientRegistry.LogOf(client);
        try
        {
            Await(client.SendAsync(_message, CancelToken).AsTask());
        }
        catch (SdException ex)
        {
            // One closed connection among the piped clients: say so and go on with the others.
            WriteError(SdErrors.From(ex, client));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (PassThru) WriteObject(_message);
    }

    private void Signal()
    {
        var options = new SdSignalOptions
        {
            WaitForReply = Reply,
            Timeout = Timeout,
            SecretCode = SecretCode,
            Tls = ClientTls.Create(this, CertificateAuthority, SkipCertificateCheck),
            Trace = TraceMessages,
        };
        using var loggerFactory = PipelineLog.CreateFactory(out var log);
        Log = log;
        SdMessage? reply;
        try
        {
            reply = Await(SdSignal.SendAsync(Endpoint, _message, options, loggerFactory, CancelToken));
        }
        catch (SdException ex)
        {
            ThrowTerminatingError(SdErrors.From(ex, Endpoint));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (reply is null) return;
        SdPeerCommands.Note(reply, Endpoint.ToString());
        WriteObject(reply);
    }
}
