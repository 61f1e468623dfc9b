using System.Buffers.Binary;

namespace Switchboard.Protocols.Ice;

/// <summary>
/// RTP, RTCP, STUN and DTLS over a TCP connection for ICE-TCP (RFC 6544 §3): each packet preceded by its length in two
/// bytes (RFC 4571 §2). A zero length is a legal empty frame.
/// </summary>
public static class Rfc4571Framing
{
    public const int HeaderLength = 2;
    public const int MaxFrameLength = ushort.MaxValue;

    /// <summary>The first whole frame of <paramref name="buffer"/>; false when more bytes are needed.</summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> frame, out int consumed)
    {
        frame = default;
        consumed = 0;
        if (buffer.Length < HeaderLength) return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (buffer.Length < HeaderLength + length) return false;
        frame = buffer.Slice(HeaderLength, length);
        consumed = HeaderLength + length;
        return true;
    }

    /// <summary>Writes the length prefix for a <paramref name="frameLength"/>-byte frame; false when it cannot be framed.</summary>
    public static bool TryWriteHeader(Span<byte> destination, int frameLength)
    {
        if (destination.Length < HeaderLength || frameLength is < 0 or > MaxFrameLength) return false;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)frameLength);
        return true;
    }
}
