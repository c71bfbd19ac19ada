namespace SocketDispatcher.Listening;

/// <summary>What one connected dispatcher has, read under the scheduler's lock (for <see cref="SdListener.GetDispatchers"/>).</summary>
internal readonly record struct LinkSnapshot(int ProcessId, SdDispatcherState State, DateTimeOffset JoinedAt, long Handed, int Open, int Pending);
