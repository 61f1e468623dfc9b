namespace Switchboard.Protocols.Ice;

/// <summary>What a datagram on a WebRTC transport carries, by its first byte (RFC 7983 §7) and, for RTP/RTCP, its second (RFC 5761 §4).</summary>
public enum MultiplexedPacketKind
{
    Unknown,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}

public static class MultiplexedPacket
{
    public static MultiplexedPacketKind Classify(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) return MultiplexedPacketKind.Unknown;
        return packet[0] switch
        {
            <= 3 => MultiplexedPacketKind.Stun,
            >= 20 and <= 63 => MultiplexedPacketKind.Dtls,
            >= 128 and <= 191 when packet.Length >= 2 => packet[1] is >= 192 and <= 223 ? MultiplexedPacketKind.Rtcp : MultiplexedPacketKind.Rtp,
            _ => MultiplexedPacketKind.Unknown,
        };
    }
}
