using System.CommandLine;
using SocketDispatcher.Cli;

var root = new RootCommand("sd: SocketDispatcher's command line. A listener hands accepted TCP/TLS connections to dispatcher processes over AF_UNIX with SCM_RIGHTS; dispatchers speak eventdispatcher messages.")
{
    ListenCommand.Create(),
    DispatchCommand.Create(),
    ClientCommand.Create(),
    SignalCommand.Create(),
    ServeCommand.Create(),
    CertCommand.Create(),
    StatusCommand.Create(),
};

// Signals are handled by the verbs themselves (a listener drains on SIGTERM): no forced exit after a timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
