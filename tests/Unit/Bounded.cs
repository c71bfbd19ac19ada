namespace SocketDispatcher.Tests;

/// <summary>Every wait in a test is bounded: a hung peer fails the test instead of hanging the run.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Deadline);

    public static Task Within(this ValueTask task) => task.AsTask().WaitAsync(Deadline);

    public static Task Within(this Task task) => task.WaitAsync(Deadline);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after <paramref name="timeout"/>
    /// (default <see cref="Deadline"/>) with <paramref name="because"/> and the state <paramref name="observed"/> describes.</summary>
    public static async Task Until(Func<bool> condition, string because, Func<string>? observed = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {(timeout ?? Deadline).TotalSeconds:0.#} s waiting until {because}; observed: {observed?.Invoke() ?? "(nothing)"}");
            }

            await Task.Delay(20);
        }
    }
}
