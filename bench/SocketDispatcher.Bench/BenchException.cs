namespace SocketDispatcher.Bench;

/// <summary>The benchmark cannot go on: a prerequisite is missing or a process failed to start.</summary>
internal sealed class BenchException(string message) : Exception(message);
