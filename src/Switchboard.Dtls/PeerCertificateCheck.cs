using Org.BouncyCastle.Tls;

namespace Switchboard.Dtls;

/// <summary>The DTLS-SRTP peer authentication (RFC 5763 §5, RFC 8122): the leaf certificate must match the SDP fingerprint.</summary>
internal static class PeerCertificateCheck
{
    public static void Verify(Certificate? presented, CertificateFingerprint expected)
    {
        if (presented is null || presented.IsEmpty)
            throw new TlsFatalAlert(AlertDescription.certificate_required, "the peer presented no certificate");
        if (!expected.Matches(presented.GetCertificateAt(0).GetEncoded()))
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "the peer's certificate does not match the SDP fingerprint");
    }
}
