using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtp;

/// <summary>One header extension element to write: its negotiated id (1-255) and value (up to 255 bytes).</summary>
public readonly record struct RtpExtensionElement(int Id, ReadOnlyMemory<byte> Value);

/// <summary>
/// Writes RTP packets (RFC 3550 §5.1) with header extensions in the one-byte form when every element fits it
/// (ids 1-14, values of 1-16 bytes; RFC 8285 §4.2) and the two-byte form otherwise (§4.3).
/// </summary>
public static class RtpPacketWriter
{
    /// <returns>The packet's length, or -1 when <paramref name="destination"/> is too small or an element cannot be written.</returns>
    public static int Write(Span<byte> destination, bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc,
        ReadOnlySpan<RtpExtensionElement> extensions, ReadOnlySpan<byte> payload)
    {
        bool oneByte = true;
        int extensionBytes = 0;
        foreach (var element in extensions)
        {
            if (element.Id is < 1 or > 255 || element.Value.Length > 255) return -1;
            if (element.Id > 14 || element.Value.Length is 0 or > 16) oneByte = false;
        }
        foreach (var element in extensions) extensionBytes += (oneByte ? 1 : 2) + element.Value.Length;
        int extensionWords = (extensionBytes + 3) / 4;
        int header = RtpPacket.FixedHeaderLength + (extensions.IsEmpty ? 0 : 4 + 4 * extensionWords);
        if (destination.Length < header + payload.Length) return -1;

        destination[0] = (byte)(0x80 | (extensions.IsEmpty ? 0 : 0x10));
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        if (!extensions.IsEmpty)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[12..], oneByte ? RtpHeaderExtensions.OneByteProfile : (ushort)0x1000);
            BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)extensionWords);
            int offset = 16;
            foreach (var element in extensions)
            {
                if (oneByte) destination[offset++] = (byte)(element.Id << 4 | (element.Value.Length - 1));
                else
                {
                    destination[offset++] = (byte)element.Id;
                    destination[offset++] = (byte)element.Value.Length;
                }
                element.Value.Span.CopyTo(destination[offset..]);
                offset += element.Value.Length;
            }
            destination[offset..header].Clear(); // padding to a 32-bit boundary
        }
        payload.CopyTo(destination[header..]);
        return header + payload.Length;
    }
}
