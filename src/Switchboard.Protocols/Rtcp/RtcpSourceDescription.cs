using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.Rtcp;

/// <summary>SDES (RFC 3550 §6.5): chunks of (SSRC, items); WebRTC sends the CNAME item.</summary>
public static class SourceDescription
{
    public const byte CnameItem = 1;

    /// <summary>The CNAME of the first chunk that has one; false when none does or a length runs past the packet.</summary>
    public static bool TryReadCname(RtcpPacket packet, out uint ssrc, out string cname)
    {
        ssrc = 0;
        cname = "";
        if (packet.Type != RtcpPacketType.SourceDescription) return false;
        var body = packet.Body;
        int offset = 0;
        for (int chunk = 0; chunk < packet.Count && offset + 4 <= body.Length; chunk++)
        {
            uint chunkSsrc = BinaryPrimitives.ReadUInt32BigEndian(body[offset..]);
            offset += 4;
            while (offset < body.Length && body[offset] != 0) // items until the null item
            {
                if (offset + 2 > body.Length || offset + 2 + body[offset + 1] > body.Length) return false;
                if (body[offset] == CnameItem)
                {
                    ssrc = chunkSsrc;
                    cname = Encoding.UTF8.GetString(body.Slice(offset + 2, body[offset + 1]));
                    return true;
                }
                offset += 2 + body[offset + 1];
            }
            offset = (offset + 4) & ~3; // the null item, then padding to 32 bits
        }
        return false;
    }

    public static int WriteCname(Span<byte> destination, uint ssrc, string cname)
    {
        int textLength = Encoding.UTF8.GetByteCount(cname);
        if (textLength > 255) return -1;
        int length = (RtcpPacket.HeaderLength + 4 + 2 + textLength + 1 + 3) & ~3;
        if (destination.Length < length) return -1;
        RtcpPacket.WriteHeader(destination, RtcpPacketType.SourceDescription, 1, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = CnameItem;
        destination[9] = (byte)textLength;
        Encoding.UTF8.GetBytes(cname, destination[10..]);
        destination[(10 + textLength)..length].Clear();
        return length;
    }
}

/// <summary>BYE (RFC 3550 §6.6): the sources that leave, and an optional reason.</summary>
public static class Goodbye
{
    public static bool TryRead(RtcpPacket packet, Span<uint> ssrcs, out int count, out string? reason)
    {
        count = 0;
        reason = null;
        var body = packet.Body;
        if (packet.Type != RtcpPacketType.Goodbye || body.Length < 4 * packet.Count || ssrcs.Length < packet.Count) return false;
        for (; count < packet.Count; count++) ssrcs[count] = BinaryPrimitives.ReadUInt32BigEndian(body[(4 * count)..]);
        int offset = 4 * packet.Count;
        if (offset < body.Length)
        {
            int length = body[offset];
            if (offset + 1 + length > body.Length) return false;
            reason = Encoding.UTF8.GetString(body.Slice(offset + 1, length));
        }
        return true;
    }

    public static int Write(Span<byte> destination, ReadOnlySpan<uint> ssrcs, string? reason = null)
    {
        int reasonLength = reason is null ? 0 : Encoding.UTF8.GetByteCount(reason);
        if (ssrcs.Length > 31 || reasonLength > 255) return -1;
        int length = (RtcpPacket.HeaderLength + 4 * ssrcs.Length + (reason is null ? 0 : 1 + reasonLength) + 3) & ~3;
        if (destination.Length < length) return -1;
        RtcpPacket.WriteHeader(destination, RtcpPacketType.Goodbye, ssrcs.Length, length);
        for (int i = 0; i < ssrcs.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(4 + 4 * i)..], ssrcs[i]);
        int offset = 4 + 4 * ssrcs.Length;
        if (reason is not null)
        {
            destination[offset] = (byte)reasonLength;
            Encoding.UTF8.GetBytes(reason, destination[(offset + 1)..]);
            offset += 1 + reasonLength;
        }
        destination[offset..length].Clear();
        return length;
    }
}
