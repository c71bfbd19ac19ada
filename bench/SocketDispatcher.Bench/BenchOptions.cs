namespace SocketDispatcher.Bench;

/// <summary>What one benchmark run does; the defaults are the full run, <see cref="Quick"/> the smoke run.</summary>
internal sealed record BenchOptions
{
    /// <summary>The repository root (holds SocketDispatcher.sln).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>The published <c>sd</c> executable (build.ps1 Build puts it in artifacts/SocketDispatcher/).</summary>
    public required string Sd { get; init; }

    /// <summary>The Markdown file whose handoff part (between the markers) is rewritten.</summary>
    public required string Output { get; init; }

    public bool Quick { get; init; }

    /// <summary>Interleaved rounds: every configuration runs once per round, in a rotated order.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Measured seconds of each saturation, TLS and message run.</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>Warm-up seconds before each measured window (not counted).</summary>
    public double WarmupSeconds { get; init; } = 2;

    /// <summary>Measured seconds of each light-load (one connection at a time) run.</summary>
    public double LightSeconds { get; init; } = 3;

    /// <summary>Idle plain connections held for the memory figures.</summary>
    public int MemoryConnections { get; init; } = 10_000;

    /// <summary>Idle TLS connections held for the memory figures (each costs a full handshake to open).</summary>
    public int MemoryTlsConnections { get; init; } = 10_000;

    /// <summary>Sections to run: handoff, tls, messages, memory.</summary>
    public IReadOnlySet<string> Sections { get; init; } = new HashSet<string> { "handoff", "tls", "messages", "memory" };

    /// <summary>A free-text note printed at the top of the report (e.g. "quick run on a busy machine").</summary>
    public string? Note { get; init; }

    public static BenchOptions QuickDefaults(string repoRoot, string sd, string output) => new()
    {
        RepoRoot = repoRoot,
        Sd = sd,
        Output = output,
        Quick = true,
        Rounds = 1,
        Seconds = 1.5,
        WarmupSeconds = 0.5,
        LightSeconds = 1,
        MemoryConnections = 10_000,
        MemoryTlsConnections = 1_000,
    };
}
