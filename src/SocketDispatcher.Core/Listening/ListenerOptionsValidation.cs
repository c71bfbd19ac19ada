using SocketDispatcher.Control;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Listening;

/// <summary>Checks <see cref="SdListenerOptions"/> once, at start, so that a mistake fails the start instead of every dispatcher in a crash loop.</summary>
internal static class ListenerOptionsValidation
{
    /// <exception cref="SdException">An option is out of range or names something that cannot be used (kind InvalidArgument, NotFound...).</exception>
    public static void Validate(SdListenerOptions options)
    {
        if (options.Endpoints.Count == 0) throw new SdException(SdErrorKind.InvalidArgument, "EndpointMissing", "give at least one endpoint to listen on, such as tcp://127.0.0.1:3001");
        // A bad definition file fails the start here, once, instead of every dispatcher in a crash loop.
        if (options.DefinitionPath is { Length: > 0 } definitions) SdMessageDefinitions.Load(definitions);
        if (options.Dispatchers < 0) throw new SdException(SdErrorKind.InvalidArgument, "DispatchersInvalid", $"the number of dispatchers must be 0 or more, not {options.Dispatchers}");
        if (options.Capacity < 1) throw new SdException(SdErrorKind.InvalidArgument, "CapacityInvalid", $"the capacity of a dispatcher must be 1 or more open connections, not {options.Capacity}");
        if (options.Backlog < 1) throw new SdException(SdErrorKind.InvalidArgument, "BacklogInvalid", $"the backlog must be 1 or more, not {options.Backlog}");
        if (options.HandoffTimeout <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "HandoffTimeoutInvalid", $"the handoff timeout must be more than 0, not {options.HandoffTimeout}");
        if (options.DispatcherTimeout <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "DispatcherTimeoutInvalid", $"the dispatcher timeout must be more than 0, not {options.DispatcherTimeout}");
        if (options.DrainTimeout < TimeSpan.Zero || options.DrainTimeout > ExitRecord.MaxDrain) throw new SdException(SdErrorKind.InvalidArgument, "DrainTimeoutInvalid", $"the drain timeout must be from 0 to {ExitRecord.MaxDrain.TotalDays:0} days, not {options.DrainTimeout}");
        if (options.MaxRestarts < 0) throw new SdException(SdErrorKind.InvalidArgument, "MaxRestartsInvalid", $"the number of restarts tolerated must be 0 or more, not {options.MaxRestarts}");
        if (options.RestartWindow <= TimeSpan.Zero) throw new SdException(SdErrorKind.InvalidArgument, "RestartWindowInvalid", $"the restart window must be more than 0, not {options.RestartWindow}");
        if (options.Endpoints.Any(e => e.Kind == SdEndpointKind.Tls) && options.Tls is null)
        {
            throw new SdException(SdErrorKind.InvalidArgument, "CertificateMissing", "a tls:// endpoint needs a certificate and a key (--cert and --key)");
        }

        ControlServer.Validate(options);
        if (options.Tls is not null) _ = TlsSetup.CreateServerOptions(options.Tls); // fail here, once, not in every dispatcher
        if (ScriptHandlerLaunch.IsScript(options.Handler)) _ = ScriptHandlerLaunch.Resolve(options, "unix:/check"); // fail here, once, not in every spawn
        _ = SdHandlers.Names.Contains(options.Handler) || ScriptHandlerLaunch.IsScript(options.Handler)
            ? true
            : throw new SdException(SdErrorKind.InvalidArgument, "HandlerUnknown", $"unknown handler '{options.Handler}'; use one of: {string.Join(", ", SdHandlers.Names)}");
    }
}
