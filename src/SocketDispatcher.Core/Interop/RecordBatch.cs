using System.Runtime.InteropServices;

namespace SocketDispatcher.Interop;

/// <summary>
/// Room for several records of one <c>recvmmsg(2)</c> call (<see cref="NativeSockets.Receive(SafeHandle, RecordBatch)"/>),
/// set up once per channel in native memory: a payload buffer and a control buffer for
/// <see cref="NativeSockets.MaxFileDescriptorsPerMessage"/> descriptors per record. Pages the kernel
/// never writes are never resident, so the large payload buffers cost address space, not memory.
/// </summary>
internal sealed unsafe class RecordBatch : IDisposable
{
    private readonly byte* _payloads;
    private readonly byte* _controls;
    private readonly NativeSockets.Iovec* _vectors;
    private bool _disposed;

    /// <param name="capacity">The most records one call takes.</param>
    /// <param name="recordBytes">The largest record, in bytes; a longer one fails the receive (MSG_TRUNC).</param>
    public RecordBatch(int capacity, int recordBytes)
    {
        Capacity = capacity;
        RecordBytes = recordBytes;
        _payloads = (byte*)NativeMemory.Alloc((nuint)capacity, (nuint)recordBytes);
        _controls = (byte*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)NativeSockets.ControlSpace);
        _vectors = (NativeSockets.Iovec*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(NativeSockets.Iovec));
        Headers = (NativeSockets.Mmsghdr*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(NativeSockets.Mmsghdr));
        for (var i = 0; i < capacity; i++)
        {
            _vectors[i] = new NativeSockets.Iovec { Base = _payloads + ((long)i * recordBytes), Length = (nuint)recordBytes };
        }
    }

    public int Capacity { get; }

    public int RecordBytes { get; }

    /// <summary>Records filled by the last receive.</summary>
    public int Count { get; set; }

    internal NativeSockets.Mmsghdr* Headers { get; }

    /// <summary>The payload of record <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Payload(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return new ReadOnlySpan<byte>(_payloads + ((long)index * RecordBytes), (int)Headers[index].Length);
    }

    /// <summary>Moves the descriptors that came with record <paramref name="index"/> into <paramref name="into"/> as owning handles
    /// that close with a plain close(2); a second call finds none.</summary>
    public void TakeDescriptors(int index, List<SocketDescriptor> into)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var header = &Headers[index].Header;
        NativeSockets.CollectDescriptors(header, into);
        header->ControlLength = 0;
    }

    /// <summary>Closes every descriptor of the batch not taken yet.</summary>
    public void CloseDescriptors()
    {
        var descriptors = new List<SocketDescriptor>();
        for (var i = 0; i < Count; i++) TakeDescriptors(i, descriptors);
        foreach (var descriptor in descriptors) descriptor.Dispose();
    }

    /// <summary>Makes every slot ready for the next receive (the kernel overwrites the lengths and flags).</summary>
    internal void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Count = 0;
        for (var i = 0; i < Capacity; i++)
        {
            Headers[i] = new NativeSockets.Mmsghdr
            {
                Header = new NativeSockets.Msghdr
                {
                    Iov = &_vectors[i],
                    IovLength = 1,
                    Control = _controls + ((long)i * NativeSockets.ControlSpace),
                    ControlLength = (nuint)NativeSockets.ControlSpace,
                },
            };
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeMemory.Free(Headers);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_controls);
        NativeMemory.Free(_payloads);
    }
}
