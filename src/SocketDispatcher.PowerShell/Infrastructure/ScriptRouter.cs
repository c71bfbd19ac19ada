using System.Collections;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace SocketDispatcher.PowerShell;

/// <summary>
/// Builds the router of a scriptable dispatcher. PowerShell may not run on thread-pool threads
/// without a runspace, so routes do not run scriptblocks: they queue a <see cref="ScriptWork"/> that
/// the cmdlet runs on its pipeline thread, and send the replies once it is done. One conversation
/// waits for each of its messages to be handled, so its replies keep their order.
/// </summary>
/// <remarks>
/// Keys of the handler table: <c>*</c> is the catch-all; <c>@connected</c> runs once per new connection,
/// before any message (what it outputs is sent: a greeting, as seed 001's server says <c>HI</c>); a key
/// that is a command name (<c>[A-Z_][A-Z0-9_]*</c>) is an exact route; any other key is a regular
/// expression matched against the whole command. The built-ins (HELP, ALIVE) stay answered unless a key names them.
/// </remarks>
internal static class ScriptRouter
{
    /// <summary>The key of the handler run once per new connection: <c>@</c> starts no command, and no command matches it as a pattern.</summary>
    public const string ConnectedKey = "@connected";

    /// <summary>The router for a handler table, or for none (every message goes to the pipeline).</summary>
    /// <exception cref="ArgumentException">A key is not a command, <c>*</c> or a valid regular expression, or a value is not a scriptblock.</exception>
    public static SdMessageRouter Create(IDictionary? handlers, ChannelWriter<ScriptWork> queue)
    {
        var router = new SdMessageRouter();
        if (handlers is null)
        {
            return router.MapFallback(Queue(queue, null));
        }

        foreach (DictionaryEntry entry in handlers)
        {
            var key = Convert.ToString(entry.Key is PSObject k ? k.BaseObject : entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            var script = (entry.Value is PSObject v ? v.BaseObject : entry.Value) as ScriptBlock
                ?? throw new ArgumentException($"the handler for '{key}' must be a scriptblock, such as {{ param($m) $m.Reply('OK') }}");
            if (key == "*")
            {
                router.MapFallback(Queue(queue, script));
            }
            else if (key == ConnectedKey)
            {
                router.OnConnected((session, cancellationToken) => RunAsync(queue, new ScriptWork(null, script), session, cancellationToken));
            }
            else if (Regex.IsMatch(key, "^[A-Z_][A-Z0-9_]*$"))
            {
                router.Map(key, Queue(queue, script));
            }
            else
            {
                Regex pattern;
                try
                {
                    pattern = new Regex(key, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentException($"the handler key '{key}' is neither a command, '*' nor a valid regular expression: {ex.Message}", ex);
                }

                router.Map(pattern, Queue(queue, script));
            }
        }

        return router;
    }

    private static SdMessageHandler Queue(ChannelWriter<ScriptWork> queue, ScriptBlock? script)
        => (session, message, cancellationToken) => RunAsync(queue, new ScriptWork(message, script), session, cancellationToken);

    /// <summary>Has the pipeline thread run <paramref name="work"/>, then sends what it answered, in order.</summary>
    private static async ValueTask RunAsync(ChannelWriter<ScriptWork> queue, ScriptWork work, ISdSession session, CancellationToken cancellationToken)
    {
        await queue.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        var replies = await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var reply in replies) await session.SendAsync(reply, cancellationToken).ConfigureAwait(false);
    }
}
