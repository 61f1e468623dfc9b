using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Builds one SCTP packet into a caller's buffer: the common header, then chunks with zeroed padding, then the CRC32c
/// (<see cref="Finish"/>). Callers check <see cref="Fits"/> first: running out of buffer is a programming error and throws.
/// </summary>
public ref struct SctpPacketWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public SctpPacketWriter(Span<byte> buffer, ushort sourcePort, ushort destinationPort, uint verificationTag)
    {
        if (buffer.Length < SctpPacket.HeaderLength) throw new ArgumentException("Buffer too small for an SCTP header.", nameof(buffer));
        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], verificationTag);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], 0);
        _length = SctpPacket.HeaderLength;
        ChunkCount = 0;
    }

    public readonly int Length => _length;
    public int ChunkCount { get; private set; }
    public readonly bool IsEmpty => ChunkCount == 0;

    /// <summary>Bytes left for chunks, padding included.</summary>
    public readonly int Remaining => _buffer.Length - _length;

    /// <summary>True when a chunk with a value of this many bytes (and its padding) still fits.</summary>
    public readonly bool Fits(int valueLength) => SctpPacket.Padded(SctpChunk.HeaderLength + valueLength) <= Remaining;

    /// <summary>Appends a chunk header and returns its value to fill; the padding is zeroed.</summary>
    public Span<byte> AddChunk(SctpChunkType type, byte flags, int valueLength) => AddChunk((byte)type, flags, valueLength);

    public Span<byte> AddChunk(byte type, byte flags, int valueLength)
    {
        int length = SctpChunk.HeaderLength + valueLength;
        if (valueLength < 0 || length > ushort.MaxValue || !Fits(valueLength))
            throw new InvalidOperationException($"SCTP packet buffer of {_buffer.Length} bytes is too small for chunk type {type}.");
        var chunk = _buffer.Slice(_length, SctpPacket.Padded(length));
        chunk[0] = type;
        chunk[1] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(chunk[2..], (ushort)length);
        chunk[length..].Clear();
        _length += chunk.Length;
        ChunkCount++;
        return chunk.Slice(SctpChunk.HeaderLength, valueLength);
    }

    /// <summary>Writes the checksum and returns the packet.</summary>
    public readonly ReadOnlySpan<byte> Finish()
    {
        var packet = _buffer[.._length];
        Crc32c.Stamp(packet);
        return packet;
    }
}
