using System.Numerics;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// The last packets of one incoming RTP stream by sequence number, to answer NACKs (RFC 4585 §6.2.1) from them.
/// Slot = sequence number modulo the capacity, all memory allocated up front. Thread-safe (one lock): the publisher's
/// receive thread stores while subscribers' threads read.
/// </summary>
public sealed class RetransmissionBuffer
{
    private readonly Lock _lock = new();
    private readonly byte[] _data;
    private readonly int[] _lengths;
    private readonly int[] _sequences; // -1: empty
    private readonly long[] _storedAt;
    private readonly int _maxPacketSize;
    private readonly int _maxAgeMillis;

    public RetransmissionBuffer(int capacity = 1024, int maxPacketSize = 1500, int maxAgeMillis = 2000)
    {
        if (capacity <= 0 || !BitOperations.IsPow2(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be a power of two");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAgeMillis);
        Capacity = capacity;
        _maxPacketSize = maxPacketSize;
        _maxAgeMillis = maxAgeMillis;
        _data = new byte[checked(capacity * maxPacketSize)];
        _lengths = new int[capacity];
        _sequences = new int[capacity];
        _sequences.AsSpan().Fill(-1);
        _storedAt = new long[capacity];
    }

    public int Capacity { get; }

    /// <summary>
    /// Keeps a copy of <paramref name="packet"/> in place of the one stored <see cref="Capacity"/> sequence numbers
    /// earlier; one longer than the maximum packet size is not stored.
    /// </summary>
    public void Store(ReadOnlySpan<byte> packet, ushort sequenceNumber, long nowMillis)
    {
        if (packet.Length > _maxPacketSize) return;
        int slot = sequenceNumber & (Capacity - 1);
        lock (_lock)
        {
            packet.CopyTo(_data.AsSpan(slot * _maxPacketSize, _maxPacketSize));
            _lengths[slot] = packet.Length;
            _sequences[slot] = sequenceNumber;
            _storedAt[slot] = nowMillis;
        }
    }

    /// <summary>
    /// Copies the packet with exactly this sequence number, stored at most the maximum age ago; false if there is none
    /// or it does not fit <paramref name="destination"/>.
    /// </summary>
    public bool TryGet(ushort sequenceNumber, long nowMillis, Span<byte> destination, out int length)
    {
        int slot = sequenceNumber & (Capacity - 1);
        lock (_lock)
        {
            length = _lengths[slot];
            if (_sequences[slot] != sequenceNumber || nowMillis - _storedAt[slot] > _maxAgeMillis || length > destination.Length)
            {
                length = 0;
                return false;
            }
            _data.AsSpan(slot * _maxPacketSize, length).CopyTo(destination);
            return true;
        }
    }
}
