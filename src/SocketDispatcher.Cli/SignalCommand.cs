using System.CommandLine;

namespace SocketDispatcher.Cli;

/// <summary>
/// <c>sd signal</c>: send one message to an endpoint, as eventdispatcher's <c>ed-signal</c> does.
/// Both <c>sd signal EP COMMAND</c> and ed-signal's <c>sd signal --host 127.0.0.1:3001 --type tcp COMMAND</c> work.
/// </summary>
internal static class SignalCommand
{
    public static Command Create()
    {
        var words = new Argument<string[]>("words") { Description = "ENDPOINT COMMAND, or only COMMAND with --host.", Arity = new ArgumentArity(1, 2) };
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter, name=value. Repeat for several." };
        var reply = new Option<bool>("--reply") { Description = "Wait for one answer and print it on standard output." };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait to connect and for the answer.", DefaultValueFactory = _ => "5s" };
        var secret = new Option<string?>("--secret-code") { Description = "Shared secret, sent as the secret_code parameter." };
        var host = new Option<string?>("--host", "--server") { Description = "ed-signal form: HOST:PORT to send to." };
        var type = new Option<string>("--type") { Description = "ed-signal form: tcp or udp.", DefaultValueFactory = _ => "tcp" };
        var ca = new Option<string?>("--ca") { Description = "CA (PEM) to verify a tls:// server against." };
        var insecure = new Option<bool>("--insecure") { Description = "Do not verify the tls:// server's certificate (development only)." };
        var json = new Option<bool>("--json") { Description = "Print the answer (with --reply) in JSON form." };
        var trace = CliRunner.TraceOption();
        var command = new Command("signal", "Send one message (QUIT, LOG, STATUS...) to an endpoint.") { words, parameters, reply, timeout, secret, host, type, ca, insecure, json, trace };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var given = result.GetValue(words)!;
            var (endpointText, commandText) = result.GetValue(host) is { } hostPort
                ? given.Length == 1 ? ($"{result.GetValue(type)}://{hostPort}", given[0]) : throw Usage("with --host give only the COMMAND")
                : given.Length == 2 ? (given[0], given[1]) : throw Usage("give the ENDPOINT and the COMMAND, e.g. sd signal unix:/run/sd/NAME/control.sock QUIT");
            SdMessage message;
            try
            {
                message = new SdMessage(commandText, (result.GetValue(parameters) ?? []).Select(ParseParameter).ToArray());
            }
            catch (ArgumentException ex)
            {
                // A bad command or parameter name: one line, exit code 2, nothing sent.
                throw Usage(ex.Message.Split(" (Parameter", 2)[0]);
            }

            var options = new SdSignalOptions
            {
                WaitForReply = result.GetValue(reply),
                Timeout = SdDuration.Parse(result.GetValue(timeout)!),
                SecretCode = result.GetValue(secret),
                Tls = CliRunner.ClientTls(result.GetValue(ca), result.GetValue(insecure), null, null),
                Trace = result.GetValue(trace),
            };
            using var logging = CliRunner.CreateLogging(options.Trace);
            var answer = await SdSignal.SendAsync(SdEndpoint.Parse(endpointText), message, options, logging, cancellationToken).ConfigureAwait(false);
            if (answer is not null) Console.WriteLine(result.GetValue(json) ? answer.ToJson() : answer.ToString());
            return CliRunner.Done;
        }));
        return command;
    }

    private static KeyValuePair<string, string> ParseParameter(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw Usage($"--param '{text}' must be name=value");
        return new(text[..equals], text[(equals + 1)..]);
    }

    private static SdException Usage(string message) => new(SdErrorKind.InvalidArgument, "UsageInvalid", message);
}
