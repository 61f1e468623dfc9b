using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// A validated view of one RTP packet (RFC 3550 §5.1): header fields, CSRCs, the header extension (RFC 8285) and
/// the payload without padding. <see cref="TryParse"/> checks every length once and never throws.
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderLength = 12;

    readonly ReadOnlySpan<byte> _packet;

    RtpPacket(ReadOnlySpan<byte> packet, int headerLength, int extensionOffset, int extensionLength, int paddingLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
        ExtensionOffset = extensionOffset;
        ExtensionLength = extensionLength;
        PaddingLength = paddingLength;
    }

    /// <summary>Fixed header, CSRCs and header extension.</summary>
    public int HeaderLength { get; }

    /// <summary>Where the extension's data starts (after its 4-byte header); 0 when there is none.</summary>
    int ExtensionOffset { get; }

    int ExtensionLength { get; }

    public int PaddingLength { get; }

    public bool Marker => (_packet[1] & 0x80) != 0;
    public byte PayloadType => (byte)(_packet[1] & 0x7F);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[2..]);
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]);
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[8..]);
    public int CsrcCount => _packet[0] & 0x0F;
    public uint Csrc(int index) => BinaryPrimitives.ReadUInt32BigEndian(_packet[(FixedHeaderLength + 4 * index)..]);

    public bool HasExtension => ExtensionOffset != 0;

    /// <summary>The extension's "defined by profile" field: 0xBEDE (one-byte) or 0x100x (two-byte) for RFC 8285.</summary>
    public ushort ExtensionProfile => HasExtension ? BinaryPrimitives.ReadUInt16BigEndian(_packet[(ExtensionOffset - 4)..]) : (ushort)0;

    public RtpHeaderExtensions Extensions => new(ExtensionProfile, HasExtension ? _packet.Slice(ExtensionOffset, ExtensionLength) : default);

    public ReadOnlySpan<byte> Payload => _packet[HeaderLength..^PaddingLength];

    public ReadOnlySpan<byte> Bytes => _packet;

    /// <summary>The value of the header extension element <paramref name="id"/>, if the packet has one.</summary>
    public bool TryGetExtension(int id, out ReadOnlySpan<byte> value) => Extensions.TryFind(id, out value);

    /// <summary>The transport-wide sequence number in extension <paramref name="id"/>, or -1 without one (0: not negotiated).</summary>
    public int TransportSequenceNumber(int id) =>
        id > 0 && TryGetExtension(id, out ReadOnlySpan<byte> value) && RtpExtensionValues.TryReadTransportSequenceNumber(value, out ushort sequence) ? sequence : -1;

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpPacket rtp)
    {
        rtp = default;
        if (packet.Length < FixedHeaderLength || packet[0] >> 6 != 2) return false;
        int length = FixedHeaderLength + 4 * (packet[0] & 0x0F);
        int extensionOffset = 0, extensionLength = 0;
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4) return false;
            extensionLength = 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
            extensionOffset = length + 4;
            length = extensionOffset + extensionLength;
        }
        if (length > packet.Length) return false;
        int padding = 0;
        if ((packet[0] & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding, itself included.
            padding = packet[^1];
            if (padding == 0 || length + padding > packet.Length) return false;
        }
        rtp = new RtpPacket(packet, length, extensionOffset, extensionLength, padding);
        return true;
    }
}
