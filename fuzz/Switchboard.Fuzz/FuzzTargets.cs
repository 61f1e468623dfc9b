namespace Switchboard.Fuzz;

/// <summary>Runs a parser, and everything that reads what it accepted, on one input. Any exception that escapes is a crash.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <param name="Name">The name on the command line and the corpus folder's name (fuzz/corpus/NAME).</param>
/// <param name="Description">What the target feeds its input to.</param>
public sealed record FuzzTargetInfo(string Name, string Description, FuzzTarget Run);

/// <summary>
/// Thrown by a target when a parser accepted an input but what it returned breaks the parser's own promise (a payload
/// longer than the packet, a count the body cannot hold): a bug even though nothing threw.
/// </summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    public static void Check(bool condition, string what)
    {
        if (!condition) throw new FuzzInvariantException(what);
    }
}

public static class FuzzTargets
{
    public static readonly IReadOnlyList<FuzzTargetInfo> All =
    [
        new("stun", "STUN/TURN message: parse, every attribute decoder, integrity, fingerprint, ICE-lite check", StunTarget.Run),
        new("channeldata", "TURN ChannelData and the TURN TCP/TLS stream framing", ChannelDataTarget.Run),
        new("rfc4571", "RFC 4571 ICE-TCP framing, RFC 7983 demultiplexing of each frame and its parser", Rfc4571Target.Run),
        new("rtp", "RTP packet, header extensions and their values, RTX unwrap and wrap, header rewriting", RtpTarget.Run),
        new("srtp", "SRTP and SRTCP unprotect (both profiles), and protect then unprotect round trips", SrtpTarget.Run),
        new("rtcp", "RTCP compound: every reader on every packet (SR, RR, SDES, BYE, NACK, PLI, FIR, REMB, transport-wide CC)", RtcpTarget.Run),
        new("vp8", "VP8 payload descriptor: KeyframeDetector, PictureIdFields, PictureIdRewriter", data => PayloadTarget.Run(Protocols.Rtp.VideoCodec.Vp8, data)),
        new("vp9", "VP9 payload descriptor: KeyframeDetector, PictureIdFields, PictureIdRewriter", data => PayloadTarget.Run(Protocols.Rtp.VideoCodec.Vp9, data)),
        new("h264", "H.264 payload (single NAL, STAP-A, FU-A): KeyframeDetector", data => PayloadTarget.Run(Protocols.Rtp.VideoCodec.H264, data)),
        new("av1", "AV1 aggregation header: KeyframeDetector", data => PayloadTarget.Run(Protocols.Rtp.VideoCodec.Av1, data)),
        new("depacketizer", "RTP payload stream of one codec (Opus, VP8, VP9, AV1, H.264): FrameAssembler, reordering, holes, frames", DepacketizerTarget.Run),
        new("datachannel", "data channel messages above SCTP: DCEP DATA_CHANNEL_OPEN/ACK and the room data bus's frame, read and written back", DataChannelTarget.Run),
        new("sctp", "SCTP packet for an established and a new association (data channels), and every chunk and parameter reader", SctpTarget.Run),
        new("sdp", "SDP: SessionDescription.Parse, every accessor, WebRtcOffer.TryRead, codec negotiation, answer, direction scan", SdpTarget.Run),
        new("signaling", "signaling client frame: ClientMessageReader.Read", SignalingTarget.Run),
        new("token", "access token: AccessTokenCodec.Validate (forged and correctly signed tokens)", TokenTarget.Run),
        new("coturn", "coturn turnserver.conf: CoturnConfigFile.Translate", CoturnTarget.Run),
    ];

    public static FuzzTargetInfo? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
