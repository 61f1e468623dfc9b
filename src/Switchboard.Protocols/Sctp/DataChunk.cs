using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>A DATA chunk (RFC 9260 §3.3.1): one message or one fragment of it.</summary>
public readonly ref struct DataChunk
{
    /// <summary>The chunk header and the DATA fields before the user data.</summary>
    public const int HeaderLength = 16;

    public const byte EndFlag = 0x01, BeginningFlag = 0x02, UnorderedFlag = 0x04, ImmediateFlag = 0x08;

    private readonly ReadOnlySpan<byte> _value;

    private DataChunk(byte flags, ReadOnlySpan<byte> value)
    {
        Flags = flags;
        _value = value;
    }

    public byte Flags { get; }
    public uint Tsn => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public ushort StreamId => BinaryPrimitives.ReadUInt16BigEndian(_value[4..]);
    public ushort StreamSequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_value[6..]);
    public uint PayloadProtocolId => BinaryPrimitives.ReadUInt32BigEndian(_value[8..]);
    public ReadOnlySpan<byte> UserData => _value[12..];
    public bool Unordered => (Flags & UnorderedFlag) != 0;
    public bool Beginning => (Flags & BeginningFlag) != 0;
    public bool End => (Flags & EndFlag) != 0;

    /// <summary>False when the value is shorter than the DATA fields. Empty user data is read (the caller refuses it).</summary>
    public static bool TryRead(SctpChunk chunk, out DataChunk data)
    {
        data = default;
        if (chunk.Type != SctpChunkType.Data || chunk.Value.Length < HeaderLength - SctpChunk.HeaderLength) return false;
        data = new DataChunk(chunk.Flags, chunk.Value);
        return true;
    }

    public static void Write(ref SctpPacketWriter writer, uint tsn, ushort streamId, ushort ssn, uint ppid, scoped ReadOnlySpan<byte> userData,
        bool unordered, bool beginning, bool end)
    {
        byte flags = (byte)((unordered ? UnorderedFlag : 0) | (beginning ? BeginningFlag : 0) | (end ? EndFlag : 0));
        var value = writer.AddChunk(SctpChunkType.Data, flags, HeaderLength - SctpChunk.HeaderLength + userData.Length);
        BinaryPrimitives.WriteUInt32BigEndian(value, tsn);
        BinaryPrimitives.WriteUInt16BigEndian(value[4..], streamId);
        BinaryPrimitives.WriteUInt16BigEndian(value[6..], ssn);
        BinaryPrimitives.WriteUInt32BigEndian(value[8..], ppid);
        userData.CopyTo(value[12..]);
    }
}
