using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// A SACK chunk (RFC 9260 §3.3.4): the cumulative TSN ack, the receiver's window, gap ack blocks (offsets from the
/// cumulative TSN ack) and duplicate TSNs. <see cref="TryRead"/> checks that the counts fit in the chunk.
/// </summary>
public readonly ref struct SackChunk
{
    public const int FixedLength = 12;

    private readonly ReadOnlySpan<byte> _value;

    private SackChunk(ReadOnlySpan<byte> value) => _value = value;

    public uint CumulativeTsnAck => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public uint AdvertisedReceiveWindow => BinaryPrimitives.ReadUInt32BigEndian(_value[4..]);
    public int GapBlockCount => BinaryPrimitives.ReadUInt16BigEndian(_value[8..]);
    public int DuplicateCount => BinaryPrimitives.ReadUInt16BigEndian(_value[10..]);

    /// <summary>Gap ack block <paramref name="index"/>: its start and end offsets from the cumulative TSN ack.</summary>
    public (ushort Start, ushort End) GapBlock(int index)
    {
        var block = _value[(FixedLength + index * 4)..];
        return (BinaryPrimitives.ReadUInt16BigEndian(block), BinaryPrimitives.ReadUInt16BigEndian(block[2..]));
    }

    public uint DuplicateTsn(int index) => BinaryPrimitives.ReadUInt32BigEndian(_value[(FixedLength + (GapBlockCount + index) * 4)..]);

    public static bool TryRead(SctpChunk chunk, out SackChunk sack)
    {
        sack = default;
        if (chunk.Type != SctpChunkType.Sack || chunk.Value.Length < FixedLength) return false;
        var candidate = new SackChunk(chunk.Value);
        if (FixedLength + 4 * (candidate.GapBlockCount + candidate.DuplicateCount) > chunk.Value.Length) return false;
        sack = candidate;
        return true;
    }

    public static int ValueLength(int gapBlocks, int duplicates) => FixedLength + 4 * (gapBlocks + duplicates);

    /// <param name="gapBlocks">Start and end offsets, two values per block.</param>
    public static void Write(ref SctpPacketWriter writer, uint cumulativeTsnAck, uint receiveWindow, scoped ReadOnlySpan<ushort> gapBlocks,
        scoped ReadOnlySpan<uint> duplicates)
    {
        int blocks = gapBlocks.Length / 2;
        var value = writer.AddChunk(SctpChunkType.Sack, 0, ValueLength(blocks, duplicates.Length));
        BinaryPrimitives.WriteUInt32BigEndian(value, cumulativeTsnAck);
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], receiveWindow);
        BinaryPrimitives.WriteUInt16BigEndian(value[8..], (ushort)blocks);
        BinaryPrimitives.WriteUInt16BigEndian(value[10..], (ushort)duplicates.Length);
        int offset = FixedLength;
        for (int i = 0; i < blocks * 2; i++, offset += 2) BinaryPrimitives.WriteUInt16BigEndian(value[offset..], gapBlocks[i]);
        foreach (uint tsn in duplicates)
        {
            BinaryPrimitives.WriteUInt32BigEndian(value[offset..], tsn);
            offset += 4;
        }
    }
}
