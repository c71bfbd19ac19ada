using System.CommandLine;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Cli;

/// <summary><c>sd dispatch</c>: run one dispatcher, connected to a listener's handoff socket.</summary>
internal static class DispatchCommand
{
    public static Command Create()
    {
        var handoff = new Option<string>("--handoff") { Description = "The listener's handoff socket, unix:PATH.", Required = true };
        var handler = new Option<string>("--handler") { Description = "Handler to run: conversation, echo or greet.", DefaultValueFactory = _ => "conversation" };
        var capacity = new Option<int>("--capacity") { Description = "Open connections this dispatcher takes.", DefaultValueFactory = _ => 10_000 };
        var definitions = CliRunner.DefinitionsOption();
        var trace = CliRunner.TraceOption();
        var logFile = new Option<string?>("--log-file") { Description = "Also log to this file ({pid} in it becomes this process's id); LOG from the listener reopens it. A listener with --log-file gives its dispatchers NAME.dispatcher-{pid}.EXT." };
        var command = new Command("dispatch", "Take connections from a listener's handoff socket, terminate TLS and run a handler.") { handoff, handler, capacity, definitions, trace, logFile };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            using var file = CliRunner.OpenLogFile(result.GetValue(logFile));
            var options = new SdDispatcherOptions
            {
                LogFile = file,
                Handoff = SdEndpoint.Parse(result.GetValue(handoff)!),
                Handler = result.GetValue(handler)!,
                Capacity = result.GetValue(capacity),
                DefinitionPath = result.GetValue(definitions),
                Trace = result.GetValue(trace),
            };
            using var logging = CliRunner.CreateLogging(options.Trace, file);
            await using var dispatcher = await SdDispatcher.StartAsync(options, logging, cancellationToken).ConfigureAwait(false);

            // The listener stops its dispatchers with EXIT; a signal sent to the process group (Ctrl+C
            // in a terminal) must not cut their conversations short, so it is left to the listener.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
            await dispatcher.Completion.ConfigureAwait(false);
            return CliRunner.Done;
        }));
        return command;
    }
}
