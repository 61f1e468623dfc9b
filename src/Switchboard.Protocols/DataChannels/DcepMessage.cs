using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.DataChannels;

/// <summary>
/// The Data Channel Establishment Protocol's two messages (RFC 8832 §5): DATA_CHANNEL_OPEN, which names a channel and
/// its delivery, and DATA_CHANNEL_ACK. Both travel with PPID 50 on the channel's own stream.
/// </summary>
public static class DcepMessage
{
    public const byte OpenType = 0x03;
    public const byte AckType = 0x02;

    /// <summary>The fixed part of DATA_CHANNEL_OPEN before the label (§5.1).</summary>
    private const int OpenHeaderLength = 12;

    // Channel types (§5.1): the high bit is "unordered".
    private const byte Reliable = 0x00;
    private const byte PartialReliableRexmit = 0x01;
    private const byte PartialReliableTimed = 0x02;
    private const byte UnorderedBit = 0x80;

    /// <summary>A DATA_CHANNEL_OPEN's content.</summary>
    public readonly record struct Open(string Label, string Protocol, DataChannelReliability Reliability, ushort Priority);

    public static bool IsAck(ReadOnlySpan<byte> message) => message.Length >= 1 && message[0] == AckType;

    /// <summary>Reads a DATA_CHANNEL_OPEN; false for any other message, an unknown channel type, lengths past the end or labels that are not UTF-8.</summary>
    public static bool TryReadOpen(ReadOnlySpan<byte> message, out Open open)
    {
        open = default;
        if (message.Length < OpenHeaderLength || message[0] != OpenType) return false;
        byte channelType = message[1];
        ushort priority = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        uint parameter = BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        int labelLength = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int protocolLength = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (OpenHeaderLength + labelLength + protocolLength > message.Length) return false;
        bool ordered = (channelType & UnorderedBit) == 0;
        int limit = (int)Math.Min(parameter, int.MaxValue);
        DataChannelReliability reliability;
        switch (channelType & ~UnorderedBit)
        {
            case Reliable: reliability = new(ordered); break;
            case PartialReliableRexmit: reliability = new(ordered, MaxRetransmits: limit); break;
            case PartialReliableTimed: reliability = new(ordered, MaxLifetimeMillis: limit); break;
            default: return false;
        }
        try
        {
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            string label = strict.GetString(message.Slice(OpenHeaderLength, labelLength));
            string protocol = strict.GetString(message.Slice(OpenHeaderLength + labelLength, protocolLength));
            open = new Open(label, protocol, reliability, priority);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Writes a DATA_CHANNEL_OPEN (RFC 8832 §5.1).</summary>
    public static byte[] WriteOpen(string label, string protocol, DataChannelReliability reliability, ushort priority = 256)
    {
        int labelLength = Encoding.UTF8.GetByteCount(label), protocolLength = Encoding.UTF8.GetByteCount(protocol);
        if (labelLength > ushort.MaxValue || protocolLength > ushort.MaxValue) throw new ArgumentException("label and protocol are at most 65535 bytes each");
        var message = new byte[OpenHeaderLength + labelLength + protocolLength];
        message[0] = OpenType;
        message[1] = (byte)((reliability.MaxRetransmits is not null ? PartialReliableRexmit : reliability.MaxLifetimeMillis is not null ? PartialReliableTimed : Reliable)
            | (reliability.Ordered ? 0 : UnorderedBit));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), priority);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)(reliability.MaxRetransmits ?? reliability.MaxLifetimeMillis ?? 0));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), (ushort)labelLength);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), (ushort)protocolLength);
        Encoding.UTF8.GetBytes(label, message.AsSpan(OpenHeaderLength));
        Encoding.UTF8.GetBytes(protocol, message.AsSpan(OpenHeaderLength + labelLength));
        return message;
    }

    public static byte[] WriteAck() => [AckType];
}
