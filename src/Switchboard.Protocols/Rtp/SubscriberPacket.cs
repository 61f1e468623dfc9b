namespace Switchboard.Protocols.Rtp;

/// <summary>Turns a publisher's RTP packet, in place, into one of a subscriber's stream.</summary>
public static class SubscriberPacket
{
    /// <summary>
    /// The subscriber's SSRC, sequence number, timestamp and payload type; header extension ids renumbered by
    /// <paramref name="extensionMap"/> (RFC 8285; unmapped ones blanked); abs-send-time, when the subscriber has it
    /// (<paramref name="absSendTimeId"/> &gt; 0), stamped with the time the packet leaves (6.18 fixed-point seconds,
    /// 24 bits), for the subscriber's bandwidth estimate.
    /// </summary>
    public static void Rewrite(Span<byte> packet, uint ssrc, byte payloadType, ushort sequence, uint timestamp,
        ReadOnlySpan<byte> extensionMap, int absSendTimeId, long nowMillis)
    {
        RtpHeaderRewriter.SetSsrc(packet, ssrc);
        RtpHeaderRewriter.SetSequenceNumber(packet, sequence);
        RtpHeaderRewriter.SetTimestamp(packet, timestamp);
        RtpHeaderRewriter.SetPayloadType(packet, payloadType);
        RtpHeaderRewriter.ApplyExtensionMap(packet, extensionMap);
        if (absSendTimeId <= 0) return;
        uint value = (uint)((nowMillis << 18) / 1000);
        RtpHeaderRewriter.TrySetExtension(packet, absSendTimeId, [(byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
