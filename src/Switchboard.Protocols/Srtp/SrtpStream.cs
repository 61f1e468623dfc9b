namespace Switchboard.Protocols.Srtp;

/// <summary>What one SRTP context keeps per SSRC: the RTP replay window (its highest index holds the ROC) and
/// the SRTCP index, sent or received.</summary>
internal sealed class SrtpStream
{
    public SrtpReplayWindow Rtp;
    public SrtpReplayWindow Rtcp;

    /// <summary>The next SRTCP index to send (31 bits).</summary>
    public uint NextRtcpIndex;
}
