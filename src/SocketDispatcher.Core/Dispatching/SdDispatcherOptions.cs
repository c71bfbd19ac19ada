namespace SocketDispatcher;

/// <summary>Options of a dispatcher process (<c>sd dispatch</c>, <c>Start-SdDispatcher</c>).</summary>
public sealed class SdDispatcherOptions
{
    /// <summary>The listener's handoff socket, <c>unix:PATH</c>. Required.</summary>
    public required SdEndpoint Handoff { get; init; }

    /// <summary>The built-in handler to run (see <see cref="SdHandlers.Names"/>). Default: <c>conversation</c>. Ignored when <see cref="Router"/> is set.</summary>
    public string Handler { get; init; } = "conversation";

    /// <summary>A router to run instead of a built-in handler. Default: null.</summary>
    public SdMessageRouter? Router { get; init; }

    /// <summary>
    /// Directories of message definitions (<c>COMMAND.json</c>, <c>COMMAND.psd1</c>), colon-separated,
    /// searched before the built-in ones (see <see cref="SdMessageDefinitions"/>). Default: null, the built-in definitions only.
    /// </summary>
    public string? DefinitionPath { get; init; }

    /// <summary>How many open connections this dispatcher takes; told to the listener in <c>HELLO</c>. Default: 10,000.</summary>
    public int Capacity { get; init; } = 10_000;

    /// <summary>Log every message in and out (seed 001's <c>--trace</c>). Default: false.</summary>
    public bool Trace { get; init; }

    /// <summary>The file this dispatcher logs to (also given to its logger factory); <c>LOG</c> from the listener reopens it. Default: null.</summary>
    public SdFileLoggerProvider? LogFile { get; init; }

    /// <summary>How long to keep trying to reach a handoff socket that is not there yet. Default: 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a TLS handshake may take before the connection is closed. Default: 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
