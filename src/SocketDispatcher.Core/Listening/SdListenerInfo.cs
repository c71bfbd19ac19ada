using System.Globalization;
using System.Text.Json;
using SocketDispatcher.Listening;

namespace SocketDispatcher;

/// <summary>
/// A snapshot of one listener, read from its <c>STATUS</c> answer (<c>Get-SdListener</c>,
/// <c>sd status</c>): who it is, where it accepts and takes signals, its counters and its dispatchers.
/// </summary>
/// <remarks>
/// Named after <see cref="SdDispatcherInfo"/>, which it holds: an <c>...Info</c> is a point-in-time
/// copy that can be printed, compared and piped, while <see cref="SdListener"/> is the running engine
/// in this process. Both a listener of this process (<see cref="Of"/>) and one in another process
/// (<see cref="QueryAsync"/>) go through <see cref="FromStatus"/>, so they cannot disagree.
/// </remarks>
public sealed class SdListenerInfo
{
    private SdListenerInfo(SdMessage status, SdEndpoint? queriedOn)
    {
        Name = Required(status, "name");
        ProcessId = ParseNumber<int>(status, "pid");
        State = ParseState<SdListenerState>(Required(status, "state"), "state");
        StartedAt = status.GetParameter("started") is { Length: > 0 } started && DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
        Endpoints = ParseEndpoints(status, "endpoints");
        ControlEndpoints = ParseEndpoints(status, "control");
        Handoff = status.GetParameter("handoff") is { Length: > 0 } handoff ? ParseEndpoint(status, "handoff", handoff) : null;
        Accepted = ParseNumber<long>(status, "accepted");
        Handed = ParseNumber<long>(status, "handed");
        Rehanded = ParseNumber<long>(status, "rehanded");
        Dropped = ParseNumber<long>(status, "dropped");
        Dispatchers = ParseDispatchers(status);

        // The endpoint it answered on is known to work; otherwise prefer a unix: one, which needs no secret.
        Control = queriedOn
            ?? ControlEndpoints.FirstOrDefault(e => e.Kind == SdEndpointKind.Unix)
            ?? (ControlEndpoints.Count > 0 ? ControlEndpoints[0] : null);
    }

    /// <summary>The listener's name (it names the runtime directory).</summary>
    public string Name { get; }

    /// <summary>The listener's process id.</summary>
    public int ProcessId { get; }

    /// <summary>Running, Stopping (draining) or Stopped; <c>STATUS</c> says <c>running</c>, <c>stopping</c> or <c>stopped</c> (read in any case).</summary>
    public SdListenerState State { get; }

    /// <summary>When it started (UTC); null when its <c>STATUS</c> does not say (an older listener).</summary>
    public DateTimeOffset? StartedAt { get; }

    /// <summary>The endpoints it accepts connections on, with the ports the kernel chose for port 0.</summary>
    public IReadOnlyList<SdEndpoint> Endpoints { get; }

    /// <summary>Its control endpoints (<c>QUIT</c>, <c>STOP</c>, <c>LOG</c>, <c>STATUS</c>...).</summary>
    public IReadOnlyList<SdEndpoint> ControlEndpoints { get; }

    /// <summary>
    /// The control endpoint to reach it on: the one this snapshot was read from, else its first
    /// <c>unix:</c> control endpoint, else its first one; null when it reports none.
    /// </summary>
    public SdEndpoint? Control { get; }

    /// <summary>The handoff socket its dispatchers connect to; null when its <c>STATUS</c> does not say.</summary>
    public SdEndpoint? Handoff { get; }

    /// <summary>Connections accepted.</summary>
    public long Accepted { get; }

    /// <summary>Connections handed to a dispatcher (a re-handed one counts once).</summary>
    public long Handed { get; }

    /// <summary>Connections handed again because their dispatcher went away before confirming them.</summary>
    public long Rehanded { get; }

    /// <summary>Connections closed without a dispatcher (none could take them in time).</summary>
    public long Dropped { get; }

    /// <summary>Its dispatchers, as it sees them.</summary>
    public IReadOnlyList<SdDispatcherInfo> Dispatchers { get; }

    /// <summary>Reads a <c>STATUS</c> answer (see <see cref="SdListener.GetStatus"/>).</summary>
    /// <param name="status">The answer.</param>
    /// <param name="queriedOn">The control endpoint it came from, if any: it becomes <see cref="Control"/>.</param>
    /// <exception cref="SdException">It is not a <c>STATUS</c> answer, or a field is missing or malformed
    /// (kind Protocol, reason <c>StatusInvalid</c>).</exception>
    public static SdListenerInfo FromStatus(SdMessage status, SdEndpoint? queriedOn = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!string.Equals(status.Command, "STATUS", StringComparison.Ordinal))
        {
            throw Invalid($"expected a STATUS answer, got {status.Command}{Where(queriedOn)}: is this a listener's control endpoint?");
        }

        return new SdListenerInfo(status, queriedOn);
    }

    /// <summary>A snapshot of a listener running in this process.</summary>
    public static SdListenerInfo Of(SdListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return FromStatus(listener.GetStatus());
    }

    /// <summary>Asks the listener behind <paramref name="control"/> for <c>STATUS</c> and reads the answer.</summary>
    /// <param name="control">A control endpoint.</param>
    /// <param name="options">How to reach it (timeout, secret code, TLS); the answer is always awaited.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="SdException">Nobody answers (ConnectionRefused, ReceiveTimeout, NoReply...), or the
    /// answer is not a <c>STATUS</c> (StatusInvalid).</exception>
    public static async Task<SdListenerInfo> QueryAsync(SdEndpoint control, SdSignalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(control);
        options ??= new SdSignalOptions();
        var ask = new SdSignalOptions { WaitForReply = true, Timeout = options.Timeout, SecretCode = options.SecretCode, Tls = options.Tls, Trace = options.Trace };
        var answer = await SdSignal.SendAsync(control, new SdMessage("STATUS"), ask, null, cancellationToken).ConfigureAwait(false);
        return FromStatus(answer!, control);
    }

    /// <summary>
    /// The control sockets of the listeners that run with the default runtime directory:
    /// <c>BASE/NAME/control.sock</c>, where BASE is <paramref name="baseDirectory"/> or the default
    /// (<c>$XDG_RUNTIME_DIR/sd</c>, <c>/run/sd</c> as root, else <c>/tmp/sd-UID</c>). A socket file left
    /// by a listener that was killed is listed too: asking it for <c>STATUS</c> is refused.
    /// </summary>
    public static IReadOnlyList<SdEndpoint> FindControlSockets(string? baseDirectory = null)
    {
        var root = baseDirectory ?? RuntimeDirectory.DefaultBase();
        if (!Directory.Exists(root)) return [];
        try
        {
            return Directory.EnumerateDirectories(root)
                .Select(d => Path.Combine(d, "control.sock"))
                .Where(File.Exists)
                .Order(StringComparer.Ordinal)
                .Select(path => SdEndpoint.ForUnixPath(path))
                .ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another user's folder, or one removed while we looked: nothing of ours to find there.
            return [];
        }
    }

    /// <summary>The name, pid and state, as <c>sd-4242 (pid 4242, running)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (pid {ProcessId}, {SdStateText.ToWire(State)})");

    private static string Required(SdMessage status, string name)
        => status.GetParameter(name) is { Length: > 0 } value ? value : throw Invalid($"the STATUS answer has no '{name}'");

    private static T ParseNumber<T>(SdMessage status, string name)
        where T : IParsable<T>
        => T.TryParse(Required(status, name), CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"the STATUS answer's '{name}' is not a number: '{status.GetParameter(name)}'");

    /// <summary>A JSON array of endpoint strings; a space-separated list from listeners before it.</summary>
    private static SdEndpoint[] ParseEndpoints(SdMessage status, string name)
    {
        var value = status.GetParameter(name) ?? string.Empty;
        string[] texts;
        if (value.TrimStart().StartsWith('['))
        {
            try
            {
                texts = JsonSerializer.Deserialize<string[]>(value) ?? [];
            }
            catch (JsonException ex)
            {
                throw Invalid($"'{name}' is not a JSON array of endpoints: {ex.Message}", ex);
            }
        }
        else
        {
            texts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        return [.. texts.Select(text => ParseEndpoint(status, name, text))];
    }

    private static SdEndpoint ParseEndpoint(SdMessage status, string name, string text)
    {
        try
        {
            return SdEndpoint.Parse(text);
        }
        catch (SdException ex)
        {
            throw Invalid($"the STATUS answer's '{name}' holds '{text}', which is not an endpoint: {ex.Message}", ex);
        }
    }

    private static SdDispatcherInfo[] ParseDispatchers(SdMessage status)
    {
        var json = status.GetParameter("dispatchers");
        if (string.IsNullOrEmpty(json)) return [];
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateArray().Select(d => new SdDispatcherInfo(
                d.GetProperty("pid").GetInt32(),
                ParseState<SdDispatcherState>(d.GetProperty("state").GetString(), "dispatchers"),
                d.TryGetProperty("started", out var started) && started.ValueKind == JsonValueKind.String ? DateTimeOffset.Parse(started.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null,
                d.GetProperty("restarts").GetInt32(),
                d.GetProperty("handed").GetInt64(),
                d.GetProperty("open").GetInt32(),
                d.GetProperty("pending").GetInt32(),
                d.TryGetProperty("spawned", out var spawned) && spawned.GetBoolean())).ToArray();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Invalid($"the STATUS answer's 'dispatchers' is not the JSON array of dispatchers it should be: {ex.Message}", ex);
        }
    }

    /// <summary>A state word as <c>STATUS</c> writes it (lower case), read in any case.</summary>
    private static T ParseState<T>(string? text, string name)
        where T : struct, Enum
        => SdStateText.TryParse<T>(text, out var state)
            ? state
            : throw Invalid($"the STATUS answer's '{name}' holds the state '{text}', which is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static string Where(SdEndpoint? endpoint) => endpoint is null ? string.Empty : " from " + endpoint;

    private static SdException Invalid(string message, Exception? inner = null) => new(SdErrorKind.Protocol, "StatusInvalid", message, inner);
}
