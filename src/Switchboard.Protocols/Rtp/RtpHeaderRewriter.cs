using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// Changes an RTP header in place, as a forwarding server does per subscriber: sequence number, timestamp, SSRC,
/// payload type (the marker bit is kept), and the value of an existing header extension element.
/// </summary>
public static class RtpHeaderRewriter
{
    public static void SetSequenceNumber(Span<byte> packet, ushort sequence) => BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence);
    public static void SetTimestamp(Span<byte> packet, uint timestamp) => BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp);
    public static void SetSsrc(Span<byte> packet, uint ssrc) => BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
    public static void SetPayloadType(Span<byte> packet, byte payloadType) => packet[1] = (byte)((packet[1] & 0x80) | (payloadType & 0x7F));

    /// <summary>Overwrites element <paramref name="id"/>'s value with one of the same length; false if absent or of another length.</summary>
    public static bool TrySetExtension(Span<byte> packet, int id, ReadOnlySpan<byte> value)
    {
        if (!RtpPacket.TryParse(packet, out var rtp) || !rtp.TryGetExtension(id, out var current) || current.Length != value.Length) return false;
        int offset = (int)OffsetOf(rtp.Bytes, current);
        value.CopyTo(packet[offset..]);
        return true;
    }

    /// <summary>Where <paramref name="part"/>, a slice of <paramref name="whole"/>, starts in it.</summary>
    static long OffsetOf(ReadOnlySpan<byte> whole, ReadOnlySpan<byte> part) =>
        System.Runtime.CompilerServices.Unsafe.ByteOffset(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(whole),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(part));
}
