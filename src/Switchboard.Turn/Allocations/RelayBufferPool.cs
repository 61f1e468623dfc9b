using System.Collections.Concurrent;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// The receive buffers of the UDP relays. A relay borrows one only while it has datagrams to handle, so memory follows
/// the relays busy at one moment, not the number of allocations; a few buffers per core are kept for the next burst.
/// </summary>
internal static class RelayBufferPool
{
    /// <summary>Headroom for the header, the largest datagram, and up to 3 bytes of padding (ChannelData on streams, DATA).</summary>
    public const int BufferSize = UdpRelay.Headroom + UdpRelay.MaxDatagram + 3;

    private static readonly int MaxKept = Environment.ProcessorCount * 4;
    private static readonly ConcurrentQueue<byte[]> Free = new();
    private static int s_kept;

    public static byte[] Rent()
    {
        if (Free.TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref s_kept);
            return buffer;
        }
        return GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    }

    public static void Return(byte[] buffer)
    {
        if (Interlocked.Increment(ref s_kept) <= MaxKept) Free.Enqueue(buffer);
        else Interlocked.Decrement(ref s_kept);
    }
}
