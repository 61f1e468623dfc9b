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

    /// <summary>
    /// Renumbers header extension elements in place for a receiver that negotiated other ids (RFC 8285 §5): element
    /// <c>id</c> becomes <c>map[id]</c>; an id mapped to 0 (or beyond the map) is blanked to padding bytes, which
    /// receivers skip (§4.2), so the packet keeps its length. Returns false when the packet has no valid header.
    /// </summary>
    public static bool ApplyExtensionMap(Span<byte> packet, ReadOnlySpan<byte> map)
    {
        if (!RtpPacket.TryParse(packet, out var rtp)) return false;
        if (!rtp.HasExtension) return true;
        var extensions = rtp.Extensions;
        int headerLength = extensions.IsOneByte ? 1 : extensions.IsTwoByte ? 2 : 0;
        if (headerLength == 0) return true;
        foreach (var element in extensions)
        {
            int valueOffset = (int)OffsetOf(rtp.Bytes, element.Value);
            int start = valueOffset - headerLength;
            int id = element.Id < map.Length ? map[element.Id] : 0;
            if (id == 0) packet.Slice(start, headerLength + element.Value.Length).Clear();
            else if (headerLength == 1) packet[start] = (byte)(id << 4 | (packet[start] & 0x0F));
            else packet[start] = (byte)id;
        }
        return true;
    }

    /// <summary>Where <paramref name="part"/>, a slice of <paramref name="whole"/>, starts in it.</summary>
    static long OffsetOf(ReadOnlySpan<byte> whole, ReadOnlySpan<byte> part) =>
        System.Runtime.CompilerServices.Unsafe.ByteOffset(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(whole),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(part));
}
