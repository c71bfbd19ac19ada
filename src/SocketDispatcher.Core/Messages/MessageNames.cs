using System.Collections.Concurrent;

namespace SocketDispatcher;

/// <summary>
/// Shares the strings of names that repeat from message to message (commands, parameter names,
/// services) so reading a line does not allocate them again each time.
/// </summary>
/// <remarks>
/// Bounded in count and length so a peer sending random names cannot grow it without limit; once
/// full, new names are simply allocated.
/// </remarks>
internal static class MessageNames
{
    private const int MaxNames = 4096;
    private const int MaxNameLength = 64;

    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    private static int count;

    /// <summary>The shared string equal to <paramref name="name"/>.</summary>
    public static string Get(ReadOnlySpan<char> name)
    {
        if (Lookup.TryGetValue(name, out var shared))
        {
            return shared;
        }

        var text = new string(name);

        // ConcurrentDictionary.Count takes every lock, so keep our own approximate count.
        if (name.Length <= MaxNameLength && Volatile.Read(ref count) < MaxNames)
        {
            if (Names.TryAdd(text, text))
            {
                Interlocked.Increment(ref count);
                return text;
            }

            return Names.TryGetValue(text, out var added) ? added : text;
        }

        return text;
    }
}
