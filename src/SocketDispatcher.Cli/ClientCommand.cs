using System.CommandLine;

namespace SocketDispatcher.Cli;

/// <summary>
/// <c>sd client EP</c>: seed 000's <c>myclnt</c>. Each line read from standard input is sent as a
/// message; each message that arrives is printed with a timestamp. Ctrl+D or <c>EXIT</c> ends it.
/// </summary>
internal static class ClientCommand
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint") { Description = "tcp://HOST:PORT, tls://HOST:PORT or unix:PATH." };
        var ca = new Option<string?>("--ca") { Description = "CA (PEM) to verify a tls:// server against; default: the system store." };
        var insecure = new Option<bool>("--insecure") { Description = "Do not verify the server's certificate (development only)." };
        var cert = new Option<string?>("--cert") { Description = "Client certificate (PEM) for mutual TLS." };
        var key = new Option<string?>("--key") { Description = "Client private key (PEM); default: the --cert file, when it holds the key too." };
        var permanent = new Option<bool>("--permanent") { Description = "Keep the connection: reconnect after each loss (pauses from --pause), queue lines typed meanwhile." };
        var pause = new Option<string>("--pause") { Description = "With --permanent: pauses before each retry, the last repeating.", DefaultValueFactory = _ => "1s,2s,5s,10s" };
        var maxLine = new Option<int>("--max-line") { Description = "Longest message line accepted from the server, in bytes.", DefaultValueFactory = _ => 64 * 1024 };
        var trace = CliRunner.TraceOption();
        var command = new Command("client", "Talk to an endpoint: stdin lines become messages, received messages are printed.") { endpoint, ca, insecure, cert, key, permanent, pause, maxLine, trace };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var options = new SdClientOptions
            {
                Tls = CliRunner.ClientTls(result.GetValue(ca), result.GetValue(insecure), result.GetValue(cert), result.GetValue(key)),
                Trace = result.GetValue(trace),
                MaxLineBytes = result.GetValue(maxLine),
            };
            using var logging = CliRunner.CreateLogging(options.Trace);
            var target = SdEndpoint.Parse(result.GetValue(endpoint)!);
            await using SdConnection client = result.GetValue(permanent)
                ? SdPermanentClient.Start(target, new SdPermanentClientOptions { Connection = options, Pauses = result.GetValue(pause)!.Split(',').Select(SdDuration.Parse).ToArray() }, logging)
                : await SdClient.ConnectAsync(target, options, logging, cancellationToken).ConfigureAwait(false);
            var printing = PrintAsync(client, cancellationToken);
            while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Trim() == "EXIT") break;
                if (line.Length == 0) continue;
                if (!SdMessage.TryParse(line, out var message, out var error))
                {
                    await Console.Error.WriteLineAsync($"sd: not a message: {error!.Message}").ConfigureAwait(false);
                    continue;
                }

                await client.SendAsync(message!, cancellationToken).ConfigureAwait(false);
            }

            await client.DisposeAsync().ConfigureAwait(false);
            await printing.ConfigureAwait(false);
            return CliRunner.Done;
        }));
        return command;
    }

    private static async Task PrintAsync(SdConnection client, CancellationToken cancellationToken)
    {
        while (await client.ReceiveAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false) is { } message)
        {
            Console.WriteLine($"{message.ReceivedAt:HH:mm:ss.fff} {message}");
        }
    }
}
