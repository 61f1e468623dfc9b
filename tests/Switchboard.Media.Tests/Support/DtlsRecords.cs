using System.Buffers.Binary;

namespace Switchboard.Media.Tests.Support;

/// <summary>Reads DTLS record headers (RFC 6347 §4.1) and plaintext handshake headers (§4.2.2) in datagrams.</summary>
internal static class DtlsRecords
{
    private const int RecordHeader = 13;
    private const byte Handshake = 22;
    private const byte CertificateVerify = 15;

    /// <summary>True when a record of the datagram carries (a fragment of) a plaintext CertificateVerify.</summary>
    public static bool HasCertificateVerify(ReadOnlySpan<byte> datagram)
    {
        while (datagram.Length >= RecordHeader)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            ushort epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]);
            if (datagram[0] == Handshake && epoch == 0 && length >= 1 && datagram.Length > RecordHeader
                && datagram[RecordHeader] == CertificateVerify)
                return true;
            if (datagram.Length < RecordHeader + length) return false;
            datagram = datagram[(RecordHeader + length)..];
        }
        return false;
    }
}
