using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// The RTP retransmission payload format (RFC 4588 §4): an RTX packet is the original packet's header with the RTX
/// stream's payload type, SSRC and sequence number, then the original sequence number (OSN, 2 octets), then the
/// original payload. Padding is not carried over. Wraps and unwraps without allocating.
/// </summary>
public static class RtxPacket
{
    const int OsnLength = 2;

    /// <summary>
    /// Writes the retransmission of <paramref name="original"/> into <paramref name="destination"/>, which may be the
    /// same buffer (starting at the same byte) when it has 2 more bytes of room. CSRCs and the header extension are
    /// kept; the marker bit too.
    /// </summary>
    /// <returns>
    /// The RTX packet's length, or -1 when <paramref name="original"/> is not an RTP packet or
    /// <paramref name="destination"/> is too small.
    /// </returns>
    public static int Wrap(ReadOnlySpan<byte> original, Span<byte> destination, byte rtxPayloadType, uint rtxSsrc, ushort rtxSequenceNumber)
    {
        if (!RtpPacket.TryParse(original, out var rtp)) return -1;
        int header = rtp.HeaderLength, payload = rtp.Payload.Length;
        int length = header + OsnLength + payload;
        if (destination.Length < length) return -1;
        ushort originalSequence = rtp.SequenceNumber;
        // The payload first: when both are one buffer, it moves up over bytes the header copy no longer needs.
        rtp.Payload.CopyTo(destination[(header + OsnLength)..]);
        original[..header].CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[header..], originalSequence);
        SetHeader(destination, rtxPayloadType, rtxSequenceNumber, rtxSsrc);
        return length;
    }

    /// <summary>
    /// Turns the RTX packet in the first <paramref name="length"/> bytes of <paramref name="packet"/> back into the
    /// original, in place: the OSN becomes the sequence number, the payload type and SSRC are the original stream's,
    /// padding is dropped. False for an invalid packet or one without room for an OSN (such as a padding-only probe).
    /// </summary>
    public static bool TryUnwrap(Span<byte> packet, int length, byte originalPayloadType, uint originalSsrc, out int originalLength)
    {
        originalLength = 0;
        if ((uint)length > (uint)packet.Length || !RtpPacket.TryParse(packet[..length], out var rtp) || rtp.Payload.Length < OsnLength) return false;
        int header = rtp.HeaderLength, payload = rtp.Payload.Length - OsnLength;
        ushort originalSequence = BinaryPrimitives.ReadUInt16BigEndian(rtp.Payload);
        packet.Slice(header + OsnLength, payload).CopyTo(packet[header..]);
        SetHeader(packet, originalPayloadType, originalSequence, originalSsrc);
        originalLength = header + payload;
        return true;
    }

    /// <summary>Payload type, sequence number and SSRC replaced, and the P bit cleared: the packet has no padding.</summary>
    static void SetHeader(Span<byte> packet, byte payloadType, ushort sequenceNumber, uint ssrc)
    {
        packet[0] &= 0xDF;
        RtpHeaderRewriter.SetPayloadType(packet, payloadType);
        RtpHeaderRewriter.SetSequenceNumber(packet, sequenceNumber);
        RtpHeaderRewriter.SetSsrc(packet, ssrc);
    }
}
