namespace SocketDispatcher.Tests;

/// <summary>Every wait in a test is bounded: a hung peer fails the test instead of hanging the run.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Deadline);

    public static Task Within(this ValueTask task) => task.AsTask().WaitAsync(Deadline);

    public static Task Within(this Task task) => task.WaitAsync(Deadline);
}
