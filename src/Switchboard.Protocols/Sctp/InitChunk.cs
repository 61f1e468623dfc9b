using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// An INIT or INIT-ACK chunk (RFC 9260 §3.3.2, §3.3.3): the fixed fields, then parameters. What a WebRTC endpoint
/// offers is written by <see cref="Write"/>: Supported Extensions with FORWARD-TSN and RE-CONFIG (RFC 5061 §4.2.7) and
/// Forward-TSN-Supported (RFC 3758 §3.1); never I-DATA nor zero checksum.
/// </summary>
public readonly ref struct InitChunk
{
    /// <summary>The fixed fields after the chunk header.</summary>
    public const int FixedLength = 16;

    private static ReadOnlySpan<byte> SupportedExtensions => [(byte)SctpChunkType.ForwardTsn, (byte)SctpChunkType.ReConfig];

    private readonly ReadOnlySpan<byte> _value;

    private InitChunk(ReadOnlySpan<byte> value) => _value = value;

    public uint InitiateTag => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public uint AdvertisedReceiveWindow => BinaryPrimitives.ReadUInt32BigEndian(_value[4..]);
    public ushort OutboundStreams => BinaryPrimitives.ReadUInt16BigEndian(_value[8..]);
    public ushort InboundStreams => BinaryPrimitives.ReadUInt16BigEndian(_value[10..]);
    public uint InitialTsn => BinaryPrimitives.ReadUInt32BigEndian(_value[12..]);
    public SctpParameterEnumerator Parameters => new(_value[FixedLength..]);

    public static bool TryRead(SctpChunk chunk, out InitChunk init)
    {
        init = default;
        if (chunk.Type is not (SctpChunkType.Init or SctpChunkType.InitAck) || chunk.Value.Length < FixedLength) return false;
        init = new InitChunk(chunk.Value);
        return true;
    }

    /// <summary>The value length <see cref="Write"/> needs.</summary>
    public static int ValueLength(int cookieLength, int unrecognizedLength) =>
        FixedLength + SctpParameter.SizeOf(SupportedExtensions.Length) + SctpParameter.SizeOf(0) +
        (cookieLength > 0 ? SctpParameter.SizeOf(cookieLength) : 0) + unrecognizedLength;

    /// <param name="unrecognized">Unrecognized Parameter parameters to report (INIT-ACK only), already encoded and padded.</param>
    public static void Write(ref SctpPacketWriter writer, SctpChunkType type, uint initiateTag, uint receiveWindow, ushort outboundStreams,
        ushort inboundStreams, uint initialTsn, scoped ReadOnlySpan<byte> cookie, scoped ReadOnlySpan<byte> unrecognized)
    {
        var value = writer.AddChunk(type, 0, ValueLength(cookie.Length, unrecognized.Length));
        BinaryPrimitives.WriteUInt32BigEndian(value, initiateTag);
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], receiveWindow);
        BinaryPrimitives.WriteUInt16BigEndian(value[8..], outboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(value[10..], inboundStreams);
        BinaryPrimitives.WriteUInt32BigEndian(value[12..], initialTsn);
        int offset = FixedLength;
        if (cookie.Length > 0)
        {
            cookie.CopyTo(SctpParameter.Write(value[offset..], (ushort)SctpParameterType.StateCookie, cookie.Length));
            offset += SctpParameter.SizeOf(cookie.Length);
        }
        SupportedExtensions.CopyTo(SctpParameter.Write(value[offset..], (ushort)SctpParameterType.SupportedExtensions, SupportedExtensions.Length));
        offset += SctpParameter.SizeOf(SupportedExtensions.Length);
        SctpParameter.Write(value[offset..], (ushort)SctpParameterType.ForwardTsnSupported, 0);
        offset += SctpParameter.SizeOf(0);
        unrecognized.CopyTo(value[offset..]);
    }
}
