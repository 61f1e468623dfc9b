using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Dtls;

/// <summary>
/// The self-signed ECDSA P-256 certificate a WebRTC endpoint presents in DTLS-SRTP; peers authenticate it by the SDP
/// fingerprint, not by a chain, so one is made in memory at start (RFC 8827 §6.5 lets it change per process).
/// </summary>
public sealed class DtlsCertificate
{
    private static readonly SignatureAndHashAlgorithm EcdsaSha256 = new(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private readonly X509CertificateStructure _certificate;
    private readonly AsymmetricKeyParameter _privateKey;

    private DtlsCertificate(byte[] der, byte[] pkcs8PrivateKey)
    {
        Der = der;
        _certificate = X509CertificateStructure.GetInstance(der);
        _privateKey = PrivateKeyFactory.CreateKey(pkcs8PrivateKey);
        Fingerprint = CertificateFingerprint.Of(der);
    }

    /// <summary>The certificate, DER-encoded.</summary>
    public byte[] Der { get; }

    /// <summary>Its SHA-256 fingerprint, for a=fingerprint.</summary>
    public CertificateFingerprint Fingerprint { get; }

    /// <summary>A new key pair and certificate, valid from a day ago (clock skew) for 30 days.</summary>
    public static DtlsCertificate Create(string commonName = "switchboard")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return new DtlsCertificate(certificate.RawData, key.ExportPkcs8PrivateKey());
    }

    /// <summary>The signer BouncyCastle needs to present this certificate in one handshake.</summary>
    internal TlsCredentialedSigner CreateSigner(BcTlsCrypto crypto, TlsContext context) =>
        new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, _privateKey,
            new Certificate([new BcTlsCertificate(crypto, _certificate)]), EcdsaSha256);
}
