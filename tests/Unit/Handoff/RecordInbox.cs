using System.Threading.Channels;
using SocketDispatcher.Handoff;

namespace SocketDispatcher.Tests.Handoff;

/// <summary>
/// A test's end of a handoff channel that reads records one at a time: its handler (on the channel's
/// reading thread, the channel's one mode) queues every record, and the queue completes as
/// <see cref="HandoffChannel.Completion"/> does.
/// </summary>
internal sealed class RecordInbox : IDisposable
{
    private readonly Channel<HandoffRecord> _records = System.Threading.Channels.Channel.CreateUnbounded<HandoffRecord>(new UnboundedChannelOptions { SingleWriter = true });

    public RecordInbox(HandoffChannel channel, string threadName)
    {
        Channel = channel;
        channel.Start(threadName, records =>
        {
            foreach (var record in records)
            {
                if (!_records.Writer.TryWrite(record)) record.Dispose();
            }
        });
        channel.Completion.ContinueWith(
            done => _records.Writer.TryComplete(done.Exception?.InnerException),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public HandoffChannel Channel { get; }

    /// <summary>Records in arrival order; completes at end of stream, or with the receive error.</summary>
    public ChannelReader<HandoffRecord> Records => _records.Reader;

    /// <summary>Closes the channel and the sockets of the records nobody read.</summary>
    public void Dispose()
    {
        Channel.Dispose();
        _records.Writer.TryComplete();
        while (_records.Reader.TryRead(out var record)) record.Dispose();
    }
}
