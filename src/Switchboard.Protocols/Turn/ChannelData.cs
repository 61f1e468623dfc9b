using System.Buffers.Binary;

namespace Switchboard.Protocols.Turn;

/// <summary>
/// The ChannelData message (RFC 8656 §12.4): channel number, length, application data.
/// Over TCP and TLS it is padded to a multiple of 4 bytes (§12.5).
/// </summary>
public static class ChannelData
{
    public const int HeaderLength = 4;
    public const ushort MinChannel = 0x4000;

    /// <summary>
    /// RFC 8656 §12 narrowed channels to 0x4000-0x4FFF, but RFC 5766 clients (coturn's among them) still
    /// use up to 0x7FFF; on the client-server leg nothing else starts with 0x50-0x7F, so both are accepted.
    /// </summary>
    public const ushort MaxChannel = 0x7FFF;

    /// <summary>The first byte of ChannelData is 64-127 (RFC 7983 demultiplexing, with the RFC 5766 range).</summary>
    public static bool IsChannelData(ReadOnlySpan<byte> data) => data.Length >= 1 && data[0] is >= 0x40 and <= 0x7F;

    public static bool IsValidChannelNumber(int number) => number is >= MinChannel and <= MaxChannel;

    /// <summary>Length on the wire: header plus data, padded to 4 on stream transports.</summary>
    public static int WireLength(int dataLength, bool stream) =>
        HeaderLength + (stream ? (dataLength + 3) & ~3 : dataLength);

    /// <summary>
    /// Splits a received ChannelData message. On datagrams the message may be longer than announced
    /// (padding); a length past the end, or a channel number outside 0x4000-0x4FFF, is rejected.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out ushort channel, out ReadOnlySpan<byte> data)
    {
        channel = 0;
        data = default;
        if (message.Length < HeaderLength) return false;
        channel = BinaryPrimitives.ReadUInt16BigEndian(message);
        int length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (!IsValidChannelNumber(channel) || HeaderLength + length > message.Length) return false;
        data = message.Slice(HeaderLength, length);
        return true;
    }

    /// <summary>Writes header, data and (on streams) zero padding; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ushort channel, ReadOnlySpan<byte> data, bool stream)
    {
        int total = WireLength(data.Length, stream);
        BinaryPrimitives.WriteUInt16BigEndian(destination, channel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
        data.CopyTo(destination[HeaderLength..]);
        destination[(HeaderLength + data.Length)..total].Clear();
        return total;
    }

    /// <summary>Writes only the 4-byte header in front of data already in place.</summary>
    public static void WriteHeader(Span<byte> destination, ushort channel, int dataLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, channel);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)dataLength);
    }
}
