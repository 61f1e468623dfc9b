using System.Buffers.Binary;

namespace Switchboard.Dtls;

/// <summary>
/// Works around a BouncyCastle 2.7.0 DTLS server bug (the same as bc-java issue 229): when the client's
/// CertificateVerify is lost but its ChangeCipherSpec arrives, the server's record layer moves to epoch 1 and drops
/// every retransmitted CertificateVerify (epoch 0), so the handshake can only time out. Holding back a
/// ChangeCipherSpec that comes before any CertificateVerify keeps the server in epoch 0; the client then retransmits
/// its whole flight (RFC 6347 §4.2.4), in order. Every client flight of a full handshake here has a CertificateVerify,
/// because the server always asks for the client's certificate.
/// </summary>
internal sealed class CertificateVerifyGuard
{
    private const int RecordHeader = 13;
    private const byte ChangeCipherSpec = 20, Handshake = 22, CertificateVerify = 15;
    private bool _certificateVerifySeen;

    /// <summary>True when the datagram must be dropped: it carries a ChangeCipherSpec and no CertificateVerify came before it.</summary>
    public bool ShouldDrop(ReadOnlySpan<byte> datagram)
    {
        while (!_certificateVerifySeen && datagram.Length >= RecordHeader)
        {
            byte type = datagram[0];
            int epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (RecordHeader + length > datagram.Length) return false;
            if (type == Handshake && epoch == 0 && length > 0 && datagram[RecordHeader] == CertificateVerify) _certificateVerifySeen = true;
            else if (type == ChangeCipherSpec) return true;
            datagram = datagram[(RecordHeader + length)..];
        }
        return false;
    }
}
