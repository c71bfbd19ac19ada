using System.CommandLine;

namespace SocketDispatcher.Cli;

/// <summary><c>sd status</c>: ask a listener's control endpoint for <c>STATUS</c> and print it.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var control = new Option<string>("--control") { Description = "The listener's control endpoint, e.g. unix:/run/sd/NAME/control.sock.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the STATUS message as JSON." };
        var secret = new Option<string?>("--secret-code") { Description = "Shared secret of a tcp:// or udp:// control endpoint (the listener's --secret-code)." };
        var trace = CliRunner.TraceOption();
        var command = new Command("status", "Show a listener's counters and dispatchers.") { control, json, secret, trace };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var options = new SdSignalOptions { WaitForReply = true, SecretCode = result.GetValue(secret), Trace = result.GetValue(trace) };
            // Without --trace nothing but the status is written: scripts parse the --json output.
            using var logging = options.Trace ? CliRunner.CreateLogging(trace: true) : null;
            var status = await SdSignal.SendAsync(SdEndpoint.Parse(result.GetValue(control)!), new SdMessage("STATUS"), options, logging, cancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.WriteLine(status!.ToJson());
                return CliRunner.Done;
            }

            // One reading of STATUS for every front-end: SdListenerInfo (Core), as Get-SdListener shows it.
            var info = SdListenerInfo.FromStatus(status!);
            Console.WriteLine($"{info} since {info.StartedAt:u}");
            Console.WriteLine($"endpoints  {string.Join(' ', info.Endpoints)}");
            Console.WriteLine($"accepted   {info.Accepted}   handed {info.Handed}   re-handed {info.Rehanded}   closed without a dispatcher {info.Dropped}");
            Console.WriteLine();
            Console.WriteLine($"{"PID",8} {"STATE",-9} {"RESTARTS",8} {"HANDED",10} {"OPEN",8} {"PENDING",8}");
            foreach (var d in info.Dispatchers) Console.WriteLine($"{d.ProcessId,8} {d.State.ToString().ToLowerInvariant(),-9} {d.Restarts,8} {d.Handed,10} {d.Open,8} {d.Pending,8}");
            return CliRunner.Done;
        }));
        return command;
    }
}
