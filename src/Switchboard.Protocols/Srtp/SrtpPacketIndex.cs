namespace Switchboard.Protocols.Srtp;

/// <summary>
/// The 48-bit SRTP packet index, ROC * 2^16 + SEQ, estimated from a sequence number and the stream's highest
/// index so far (RFC 3711 §3.3.1 and Appendix A). The rollover counter is per SSRC.
/// </summary>
internal static class SrtpPacketIndex
{
    public static ulong Estimate(ulong highest, bool started, ushort sequenceNumber)
    {
        if (!started) return sequenceNumber;
        uint roc = (uint)(highest >> 16);
        ushort highestSequence = (ushort)highest;
        uint guess = roc;
        if (highestSequence < 0x8000)
        {
            if (sequenceNumber - highestSequence > 0x8000 && roc > 0) guess = roc - 1;
        }
        else if (highestSequence - 0x8000 > sequenceNumber)
        {
            guess = roc + 1;
        }
        return ((ulong)guess << 16) | sequenceNumber;
    }
}
