using System.Buffers.Binary;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>What the first record of a datagram says about a new handshake.</summary>
internal enum ClientHelloKind
{
    /// <summary>Not the start of a handshake: anything else, including garbage.</summary>
    None,

    /// <summary>A whole ClientHello in one record: the stateless cookie exchange can check it as it is.</summary>
    Complete,

    /// <summary>A fragment of a ClientHello spread over several records (<see cref="ClientHelloReassembler"/>).</summary>
    Fragment,
}

/// <summary>Recognises a DTLS ClientHello from its record and handshake headers (RFC 6347 §4.1, §4.2.2).</summary>
internal static class ClientHello
{
    public const int RecordHeader = 13;
    public const int HandshakeHeader = 12;
    public const byte HandshakeContentType = 22;
    public const byte ClientHelloType = 1;

    public static ClientHelloKind Inspect(ReadOnlySpan<byte> datagram)
    {
        if (!TryReadFragment(datagram, out Fragment fragment))
            return ClientHelloKind.None;
        return fragment.Offset == 0 && fragment.Body.Length == fragment.MessageLength &&
            fragment.RecordLength == HandshakeHeader + fragment.MessageLength
                ? ClientHelloKind.Complete
                : ClientHelloKind.Fragment;
    }

    /// <summary>One ClientHello fragment: its record's header fields and its part of the message body.</summary>
    public readonly ref struct Fragment
    {
        public ushort RecordVersion { get; init; }
        public long RecordSequence { get; init; }
        public int RecordLength { get; init; }
        public int MessageLength { get; init; }
        public ushort MessageSequence { get; init; }
        public int Offset { get; init; }
        public ReadOnlySpan<byte> Body { get; init; }
    }

    /// <summary>Reads the record at the start of <paramref name="records"/> if it is an epoch-0 ClientHello fragment.</summary>
    public static bool TryReadFragment(ReadOnlySpan<byte> records, out Fragment fragment)
    {
        fragment = default;
        if (records.Length < RecordHeader + HandshakeHeader)
            return false;
        if (records[0] != HandshakeContentType || records[1] != 0xFE) // DTLS versions are 0xFEnn
            return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(records[3..]) != 0) // epoch 0: no keys yet
            return false;
        int recordLength = BinaryPrimitives.ReadUInt16BigEndian(records[11..]);
        if (recordLength < HandshakeHeader || RecordHeader + recordLength > records.Length)
            return false;

        ReadOnlySpan<byte> handshake = records.Slice(RecordHeader, recordLength);
        if (handshake[0] != ClientHelloType)
            return false;
        int length = ReadUInt24(handshake[1..]);
        int offset = ReadUInt24(handshake[6..]);
        int fragmentLength = ReadUInt24(handshake[9..]);
        if (HandshakeHeader + fragmentLength > recordLength || offset + fragmentLength > length || fragmentLength == 0)
            return false;

        fragment = new Fragment
        {
            RecordVersion = BinaryPrimitives.ReadUInt16BigEndian(records[1..]),
            RecordSequence = (long)BinaryPrimitives.ReadUInt16BigEndian(records[5..]) << 32 |
                BinaryPrimitives.ReadUInt32BigEndian(records[7..]),
            RecordLength = recordLength,
            MessageLength = length,
            MessageSequence = BinaryPrimitives.ReadUInt16BigEndian(handshake[4..]),
            Offset = offset,
            Body = handshake.Slice(HandshakeHeader, fragmentLength),
        };
        return true;
    }

    /// <summary>Length of the record at the start of <paramref name="records"/>, header included; 0 if cut short.</summary>
    public static int RecordSize(ReadOnlySpan<byte> records)
    {
        if (records.Length < RecordHeader)
            return 0;
        int size = RecordHeader + BinaryPrimitives.ReadUInt16BigEndian(records[11..]);
        return size <= records.Length ? size : 0;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] << 16 | bytes[1] << 8 | bytes[2];
}
