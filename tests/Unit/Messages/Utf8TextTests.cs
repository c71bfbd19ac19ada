using System.Buffers;

namespace SocketDispatcher.Tests.Messages;

/// <summary>Strict UTF-8 decoding without exceptions: where a peer's bytes stop being UTF-8 (RFC 3629).</summary>
public sealed class Utf8TextTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a', 0xC3, 0x28 }, 1)] // a lead byte without its continuation
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xE2, 0x82 }, 2)] // cut off at the end
    [InlineData(new byte[] { 0xC0, 0xAF }, 0)] // overlong '/'
    [InlineData(new byte[] { (byte)'x', 0xED, 0xA0, 0x80 }, 1)] // an encoded surrogate
    [InlineData(new byte[] { 0xFF }, 0)]
    public void TheFirstInvalidByteIsFound(byte[] bytes, int invalidAt)
    {
        Assert.False(Utf8Text.TryDecode(bytes, out var text, out var at));
        Assert.Null(text);
        Assert.Equal(invalidAt, at);
    }

    [Fact]
    public void AnInvalidBytePastTheScratchBufferIsFound()
    {
        var bytes = new byte[1000];
        bytes.AsSpan().Fill((byte)'v');
        bytes[700] = 0x80;

        Assert.False(Utf8Text.TryDecode(bytes, out _, out var at));
        Assert.Equal(700, at);
    }

    [Fact]
    public void ValidTextDecodesFromOneSegmentOrTwo()
    {
        var bytes = "héllo wörld €"u8.ToArray();
        Assert.True(Utf8Text.TryDecode(bytes, out var text, out var at));
        Assert.Equal("héllo wörld €", text);
        Assert.Equal(-1, at);

        // Split inside 'ö' (C3 B6): the two segments only decode together.
        var split = Array.IndexOf(bytes, (byte)0xC3, 3) + 1;
        Assert.True(Utf8Text.TryDecode(TwoSegments(bytes, split), out var joined, out _));
        Assert.Equal("héllo wörld €", joined);
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = new Segment(bytes.AsMemory(split), split);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
