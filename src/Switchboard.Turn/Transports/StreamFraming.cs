using System.Buffers;
using System.Buffers.Binary;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Turn.Transports;

/// <summary>
/// Splits a byte stream into STUN messages (RFC 8489 §6.2.2: the header's length) and ChannelData
/// messages (RFC 8656 §12.5: padded to a multiple of 4 on streams).
/// </summary>
public static class StreamFraming
{
    /// <summary>Takes one whole message off the front of <paramref name="buffer"/> when it is all there.</summary>
    public static bool TryReadMessage(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (buffer.Length < ChannelData.HeaderLength) return false;
        Span<byte> header = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(header);
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        long total;
        if (ChannelData.IsChannelData(header)) total = ChannelData.HeaderLength + ((length + 3) & ~3);
        else if ((header[0] & 0xC0) == 0) total = StunConstants.HeaderLength + length;
        else return false; // see IsInvalid
        // A ChannelData message may end the stream without its padding.
        if (buffer.Length < total) return false;
        message = buffer.Slice(0, total);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>True when the bytes at the front can be neither STUN nor ChannelData.</summary>
    public static bool IsInvalid(ReadOnlySequence<byte> buffer) =>
        buffer.Length > 0 && (buffer.FirstSpan[0] & 0xC0) != 0 && !ChannelData.IsChannelData(buffer.FirstSpan);
}
