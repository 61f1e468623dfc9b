using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// A FORWARD-TSN chunk (RFC 3758 §3.2): the new cumulative TSN the receiver moves to, and for each ordered stream
/// whose messages were skipped, the last skipped stream sequence number. A trailing partial entry is ignored.
/// </summary>
public readonly ref struct ForwardTsnChunk
{
    private readonly ReadOnlySpan<byte> _value;

    private ForwardTsnChunk(ReadOnlySpan<byte> value) => _value = value;

    public uint NewCumulativeTsn => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public int StreamCount => (_value.Length - 4) / 4;

    public (ushort StreamId, ushort Ssn) Stream(int index) =>
        (BinaryPrimitives.ReadUInt16BigEndian(_value[(4 + index * 4)..]), BinaryPrimitives.ReadUInt16BigEndian(_value[(6 + index * 4)..]));

    public static bool TryRead(SctpChunk chunk, out ForwardTsnChunk forward)
    {
        forward = default;
        if (chunk.Type != SctpChunkType.ForwardTsn || chunk.Value.Length < 4) return false;
        forward = new ForwardTsnChunk(chunk.Value);
        return true;
    }

    public static int ValueLength(int streams) => 4 + 4 * streams;

    public static void Write(ref SctpPacketWriter writer, uint newCumulativeTsn, scoped ReadOnlySpan<(ushort StreamId, ushort Ssn)> streams)
    {
        var value = writer.AddChunk(SctpChunkType.ForwardTsn, 0, ValueLength(streams.Length));
        BinaryPrimitives.WriteUInt32BigEndian(value, newCumulativeTsn);
        for (int i = 0; i < streams.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value[(4 + i * 4)..], streams[i].StreamId);
            BinaryPrimitives.WriteUInt16BigEndian(value[(6 + i * 4)..], streams[i].Ssn);
        }
    }
}
