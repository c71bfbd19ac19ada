using System.CommandLine;
using System.Runtime.InteropServices;

namespace SocketDispatcher.Cli;

/// <summary>
/// <c>sd serve</c>: run a handler in this process on datagram endpoints (<c>udp://</c>, <c>unixgram:</c>:
/// one message per datagram, answers to the sender's address) and/or on an inherited socket pair end
/// (<c>--fd N</c>). Datagrams cannot be handed to a dispatcher once received, so unlike <c>sd listen</c>
/// there is no handoff: the process that binds the endpoint answers. Runs until <c>QUIT</c> from a local
/// peer, SIGTERM or Ctrl+C; with <c>--fd</c> also until the pair's other end closes.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var endpoint = new Option<string[]>("--endpoint", "-e") { Description = "Datagram endpoint to serve: udp://ADDRESS:PORT, unixgram:PATH or unixgram:@NAME. Repeat for several." };
        var fd = new Option<int?>("--fd") { Description = "An inherited socket pair end (descriptor number) to serve a conversation on." };
        var handler = new Option<string>("--handler") { Description = "Handler: conversation, echo or greet.", DefaultValueFactory = _ => "echo" };
        var secret = new Option<string?>("--secret-code") { Description = "Ignore (and log) every datagram without this secret_code parameter." };
        var trace = CliRunner.TraceOption();
        var command = new Command("serve", "Answer messages in this process on udp:// or unixgram: endpoints, or on an inherited socket pair end.") { endpoint, fd, handler, secret, trace };
        command.SetAction((result, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var endpoints = CliRunner.Endpoints(result.GetValue(endpoint));
            var descriptor = result.GetValue(fd);
            if (endpoints.Length == 0 && descriptor is null)
            {
                throw new SdException(SdErrorKind.InvalidArgument, "UsageInvalid", "give --endpoint udp://ADDRESS:PORT (or unixgram:PATH), or --fd N");
            }

            var isTrace = result.GetValue(trace);
            var router = SdHandlers.Create(result.GetValue(handler)!);
            var options = new SdDatagramServiceOptions { Trace = isTrace, SecretCode = result.GetValue(secret) };
            using var logging = CliRunner.CreateLogging(isTrace);
            var services = new List<SdDatagramService>();
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                foreach (var e in endpoints)
                {
                    var service = SdDatagramService.Start(e, router, options, logging);
                    services.Add(service);
                    _ = service.Completion.ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default);
                    Console.WriteLine(service.Endpoint.ToString());
                }

                if (descriptor is { } number)
                {
                    var pair = SdSocketPair.FromDescriptor(number, logging, isTrace);
                    _ = SdSocketPair.ServeAsync(pair, router, reason => stopped.TrySetResult(), cancellationToken).ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default);
                }

                using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                await stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                foreach (var service in services) await service.DisposeAsync().ConfigureAwait(false);
            }

            return CliRunner.Done;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopped.TrySetResult();
            }
        }));
        return command;
    }
}
