using Switchboard.Protocols.Ice;

namespace Switchboard.Fuzz;

/// <summary>
/// An ICE-TCP byte stream (RFC 6544): RFC 4571 frames read one after the other as the media server's TCP connections
/// do, each frame classified by its first bytes (RFC 7983) and given to the parser of its kind. The framing returns
/// false when it needs more bytes and never throws.
/// </summary>
public static class Rfc4571Target
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var rest = data;
        while (Rfc4571Framing.TryReadFrame(rest, out var frame, out int consumed))
        {
            FuzzInvariantException.Check(consumed == Rfc4571Framing.HeaderLength + frame.Length && consumed <= rest.Length, "consumed count");
            rest = rest[consumed..];
            switch (MultiplexedPacket.Classify(frame))
            {
                case MultiplexedPacketKind.Stun: StunTarget.Run(frame); break;
                case MultiplexedPacketKind.Rtp: RtpTarget.Run(frame); break;
                case MultiplexedPacketKind.Rtcp: RtcpTarget.Run(frame); break;
            }
        }
        Span<byte> header = stackalloc byte[Rfc4571Framing.HeaderLength];
        FuzzInvariantException.Check(Rfc4571Framing.TryWriteHeader(header, rest.Length & 0xFFFF), "header write");
    }
}
