using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// A checked view of one SCTP packet (RFC 9260 §3.1): the common header, verified by its CRC32c, and the chunks that
/// follow, iterated with <see cref="Chunks"/>. Nothing is copied.
/// </summary>
public readonly ref struct SctpPacket
{
    public const int HeaderLength = 12;

    private readonly ReadOnlySpan<byte> _packet;

    private SctpPacket(ReadOnlySpan<byte> packet) => _packet = packet;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_packet);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_packet[2..]);
    public uint VerificationTag => BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]);
    public ReadOnlySpan<byte> Bytes => _packet;

    public SctpChunkEnumerator Chunks => new(_packet[HeaderLength..]);

    /// <summary>False when the bytes are shorter than a common header or the checksum does not match.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out SctpPacket result)
    {
        result = default;
        if (!Crc32c.IsValid(packet)) return false;
        result = new SctpPacket(packet);
        return true;
    }

    /// <summary>Rounds a chunk or parameter length up to the 4-byte boundary its padding reaches.</summary>
    public static int Padded(int length) => (length + 3) & ~3;
}

/// <summary>One chunk: its header fields and value, without the padding (RFC 9260 §3.2).</summary>
public readonly ref struct SctpChunk
{
    public const int HeaderLength = 4;

    public SctpChunk(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes;
    }

    /// <summary>The whole chunk, header included, as long as its length field says.</summary>
    public ReadOnlySpan<byte> Bytes { get; }
    public byte RawType => Bytes[0];
    public SctpChunkType Type => (SctpChunkType)Bytes[0];
    public byte Flags => Bytes[1];
    public ReadOnlySpan<byte> Value => Bytes[HeaderLength..];
}

/// <summary>
/// The chunks of a packet in order. Each length is checked against what remains; a chunk shorter than its header or
/// longer than the packet ends the iteration with <see cref="Malformed"/> set. The last chunk may omit its padding.
/// </summary>
public ref struct SctpChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _chunks;
    private int _offset;

    public SctpChunkEnumerator(ReadOnlySpan<byte> chunks)
    {
        _chunks = chunks;
        _offset = 0;
        Current = default;
        Malformed = false;
    }

    public SctpChunk Current { get; private set; }
    public bool Malformed { get; private set; }
    public readonly SctpChunkEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        int remaining = _chunks.Length - _offset;
        if (remaining == 0 || Malformed) return false;
        if (remaining < SctpChunk.HeaderLength) return Fail();
        int length = BinaryPrimitives.ReadUInt16BigEndian(_chunks[(_offset + 2)..]);
        if (length < SctpChunk.HeaderLength || length > remaining) return Fail();
        Current = new SctpChunk(_chunks.Slice(_offset, length));
        _offset = Math.Min(_chunks.Length, _offset + SctpPacket.Padded(length));
        return true;
    }

    private bool Fail()
    {
        Malformed = true;
        return false;
    }
}
