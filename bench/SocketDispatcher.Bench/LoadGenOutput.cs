using System.Text.Json.Serialization;

namespace SocketDispatcher.Bench;

/// <summary>The JSON line the C load generator prints at the end of conn and msg runs.</summary>
internal sealed record LoadGenOutput(
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("completed")] long Completed,
    [property: JsonPropertyName("rate")] double Rate,
    [property: JsonPropertyName("p50_us")] double P50Us,
    [property: JsonPropertyName("p99_us")] double P99Us,
    [property: JsonPropertyName("errors")] long Errors);
