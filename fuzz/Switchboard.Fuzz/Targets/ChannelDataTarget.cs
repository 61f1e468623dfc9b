using System.Buffers;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Transports;

namespace Switchboard.Fuzz;

/// <summary>
/// TURN's ChannelData (RFC 8656 §12.4) as a datagram, and the same bytes as a TCP/TLS stream split by
/// <see cref="StreamFraming"/> into STUN and ChannelData messages (§12.5: padded to 4 on streams), each parsed. Both
/// return false for bad input and never throw.
/// </summary>
public static class ChannelDataTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        ChannelData.IsChannelData(data);
        if (ChannelData.TryParse(data, out ushort channel, out var payload))
        {
            FuzzInvariantException.Check(ChannelData.IsValidChannelNumber(channel), "channel number out of range");
            FuzzInvariantException.Check(payload.Length + ChannelData.HeaderLength <= data.Length, "data past the message");
        }

        var buffer = new ReadOnlySequence<byte>(data.ToArray());
        long before = buffer.Length;
        while (StreamFraming.TryReadMessage(ref buffer, out var message))
        {
            FuzzInvariantException.Check(message.Length > 0 && buffer.Length < before, "framing made no progress");
            before = buffer.Length;
            var bytes = message.ToArray();
            if (ChannelData.IsChannelData(bytes)) ChannelData.TryParse(bytes, out _, out _);
            else StunMessageReader.TryParse(bytes, out _);
        }
        StreamFraming.IsInvalid(buffer);
    }
}
