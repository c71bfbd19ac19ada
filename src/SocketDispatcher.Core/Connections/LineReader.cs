using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace SocketDispatcher.Connections;

/// <summary>
/// The one line reader of the protocol, on <see cref="PipeReader"/> (System.IO.Pipelines): it drains
/// every complete line of a read, turns each into an owned <see cref="LineResult"/>, then advances
/// the reader. A line with no <c>\n</c> within the maximum length is reported once as oversize and
/// reading stops: it is never buffered without bound (docs/architecture.md, "Message format").
/// </summary>
internal static class LineReader
{
    /// <summary>
    /// Reads lines until end of stream, an oversize line, or cancellation, and hands each batch to
    /// <paramref name="onLines"/> after the reader has been advanced past it.
    /// </summary>
    /// <param name="reader">The stream's reader.</param>
    /// <param name="maxLineBytes">The longest line accepted, in bytes, without its <c>\n</c>.</param>
    /// <param name="onLines">Receives each batch; the list is reused after the call returns.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task ReadAsync(PipeReader reader, int maxLineBytes, Func<List<LineResult>, ValueTask> onLines, CancellationToken cancellationToken = default)
    {
        var batch = new List<LineResult>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var oversize = false;
            while (TryReadLine(ref buffer, out var line))
            {
                if (line.Length > maxLineBytes)
                {
                    oversize = true;
                    break;
                }

                var item = Decode(line);
                if (item.Text.Length > 0 || item.Error is not null) batch.Add(item);
            }

            if (!oversize && buffer.Length > maxLineBytes) oversize = true;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (oversize) batch.Add(new LineResult(string.Empty, null, new SdMessageFormatException(maxLineBytes, $"line longer than {maxLineBytes} bytes"), IsOversize: true));
            if (batch.Count > 0)
            {
                await onLines(batch).ConfigureAwait(false);
                batch.Clear();
            }

            if (oversize || result.IsCompleted || result.IsCanceled) return;
        }
    }

    /// <summary>Takes the next complete line (without its <c>\n</c>) off the front of <paramref name="buffer"/>; allocates nothing.</summary>
    internal static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>Turns one line (without its <c>\n</c>) into a message or the reason it is not one; datagram transports use it for each record.</summary>
    internal static LineResult Decode(in ReadOnlySequence<byte> line)
    {
        if (!Utf8Text.TryDecode(line, out var text, out var invalidAt))
        {
            return new LineResult(Encoding.UTF8.GetString(line), null, new SdMessageFormatException(invalidAt, "the line is not valid UTF-8"));
        }

        if (string.IsNullOrWhiteSpace(text)) return new LineResult(string.Empty, null, null);
        return SdMessage.TryParse(text, out var message, out var error)
            ? new LineResult(text, message, null)
            : new LineResult(text, null, error);
    }
}
