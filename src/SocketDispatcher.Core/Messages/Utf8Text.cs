using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace SocketDispatcher;

/// <summary>
/// Strict UTF-8 decoding that reports where the bytes stop being UTF-8 instead of throwing: a peer's
/// bad bytes are answered (<c>INVALID</c>), so the readers of lines and datagrams must not pay for an
/// exception on each one.
/// </summary>
internal static class Utf8Text
{
    /// <summary>Decodes <paramref name="bytes"/>, or finds the index of the first byte that is not part of valid UTF-8.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="text">The text, when the bytes are valid UTF-8.</param>
    /// <param name="invalidAt">The index of the first invalid byte, otherwise; -1 on success.</param>
    /// <returns>Whether the bytes are valid UTF-8.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text, out int invalidAt)
    {
        if (Utf8.IsValid(bytes))
        {
            text = Encoding.UTF8.GetString(bytes);
            invalidAt = -1;
            return true;
        }

        text = null;
        invalidAt = FirstInvalidByte(bytes);
        return false;
    }

    /// <inheritdoc cref="TryDecode(ReadOnlySpan{byte}, out string?, out int)"/>
    public static bool TryDecode(in ReadOnlySequence<byte> bytes, [NotNullWhen(true)] out string? text, out int invalidAt)
        => TryDecode(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray(), out text, out invalidAt);

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        Span<char> scratch = stackalloc char[256];
        var consumed = 0;
        while (true)
        {
            // Without replacement, ToUtf16 stops at the first invalid sequence (or a truncated one at the end).
            var status = Utf8.ToUtf16(bytes[consumed..], scratch, out var read, out _, replaceInvalidSequences: false);
            consumed += read;
            if (status != OperationStatus.DestinationTooSmall) return consumed;
        }
    }
}
