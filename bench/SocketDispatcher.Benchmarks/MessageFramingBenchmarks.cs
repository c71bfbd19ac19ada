using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using SocketDispatcher.Connections;

namespace SocketDispatcher.Benchmarks;

/// <summary>Finding the lines of a read buffer (LineReader's framing, before any decoding): must not allocate.</summary>
[MemoryDiagnoser]
public class MessageFramingBenchmarks
{
    private static readonly ReadOnlySequence<byte> OneLine = new(Encoding.UTF8.GetBytes("FIRE length=-35;name=Charles\n"));
    private static readonly ReadOnlySequence<byte> SixtyFourLines = new(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("FIRE length=-35;name=Charles\n", 64))));
    private static readonly ReadOnlySequence<byte> SplitLine = Split("FIRE length=-35;", "name=Charles\n");

    [Benchmark(Baseline = true)]
    public long FrameOneLine() => Frame(OneLine);

    [Benchmark(OperationsPerInvoke = 64)]
    public long FrameSixtyFourLines() => Frame(SixtyFourLines);

    [Benchmark]
    public long FrameALineSplitOverTwoSegments() => Frame(SplitLine);

    private static long Frame(ReadOnlySequence<byte> buffer)
    {
        long total = 0;
        while (LineReader.TryReadLine(ref buffer, out var line)) total += line.Length;
        return total;
    }

    private static ReadOnlySequence<byte> Split(string first, string second)
    {
        var head = new Segment(Encoding.UTF8.GetBytes(first), 0);
        var tail = head.Append(Encoding.UTF8.GetBytes(second));
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
