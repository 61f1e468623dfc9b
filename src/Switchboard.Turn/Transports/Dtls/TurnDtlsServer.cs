using System.Net;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// The BouncyCastle server side of one DTLS handshake: DTLS 1.2 (1.0 when allowed), ECDHE suites matching the
/// certificate's key (ECDSA or RSA), AES-GCM first, then ChaCha20-Poly1305 and AES-CBC (the only suites DTLS 1.0 has).
/// </summary>
internal sealed class TurnDtlsServer(BcTlsCrypto crypto, ServerCertificate certificate, DtlsListenerSettings settings,
    IPEndPoint remote, ILogger logger) : DefaultTlsServer(crypto)
{
    private static readonly int[] EcdsaSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    ];

    private static readonly int[] RsaSuites =
    [
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    ];

    private static readonly SignatureAndHashAlgorithm[] EcdsaPreference =
    [
        new(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
        new(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
        new(HashAlgorithm.sha512, SignatureAlgorithm.ecdsa),
        new(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa),
    ];

    private static readonly SignatureAndHashAlgorithm[] RsaPreference =
    [
        SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
        new(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
        SignatureAndHashAlgorithm.rsa_pss_rsae_sha384,
        new(HashAlgorithm.sha384, SignatureAlgorithm.rsa),
        SignatureAndHashAlgorithm.rsa_pss_rsae_sha512,
        new(HashAlgorithm.sha512, SignatureAlgorithm.rsa),
        new(HashAlgorithm.sha1, SignatureAlgorithm.rsa),
    ];

    /// <summary>Set when the handshake has completed.</summary>
    public ProtocolVersion? NegotiatedVersion { get; private set; }

    /// <summary>IANA number of the negotiated cipher suite; set when the handshake has completed.</summary>
    public int NegotiatedCipherSuite { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => settings.AllowDtls10
        ? ProtocolVersion.DTLSv12.DownTo(ProtocolVersion.DTLSv10)
        : ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
        certificate.KeyAlgorithm == ServerKeyAlgorithm.Ecdsa ? EcdsaSuites : RsaSuites);

    protected override bool PreferLocalCipherSuites() => true;

    public override int GetHandshakeTimeoutMillis() => (int)settings.HandshakeTimeout.TotalMilliseconds;

    /// <summary>Records that fail authentication are dropped instead of ending the session (RFC 6347 §4.1.2.7).</summary>
    public override bool IgnoreCorruptDtlsRecords => true;

    protected override TlsCredentialedSigner? GetECDsaSignerCredentials() =>
        certificate.KeyAlgorithm == ServerKeyAlgorithm.Ecdsa ? CreateSigner(SignatureAlgorithm.ecdsa, EcdsaPreference) : null;

    protected override TlsCredentialedSigner? GetRsaSignerCredentials() =>
        certificate.KeyAlgorithm == ServerKeyAlgorithm.Rsa ? CreateSigner(SignatureAlgorithm.rsa, RsaPreference) : null;

    private TlsCredentialedSigner? CreateSigner(short signatureAlgorithm, SignatureAndHashAlgorithm[] preference)
    {
        SignatureAndHashAlgorithm? chosen = null;
        if (TlsUtilities.IsSignatureAlgorithmsExtensionAllowed(m_context.ServerVersion))
        {
            // RFC 5246 §7.4.1.4.1: a client that sends no signature_algorithms accepts SHA-1 with the key's algorithm.
            IList<SignatureAndHashAlgorithm> offered = m_context.SecurityParameters.ClientSigAlgs
                ?? TlsUtilities.GetDefaultSignatureAlgorithms(signatureAlgorithm);
            chosen = preference.FirstOrDefault(offered.Contains);
            if (chosen is null)
                return null;
        }
        var chain = new Certificate(certificate.BouncyCastleChain
            .Select(c => (TlsCertificate)new BcTlsCertificate(crypto, c)).ToArray());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto,
            certificate.BouncyCastlePrivateKey, chain, chosen);
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        NegotiatedVersion = m_context.ServerVersion;
        NegotiatedCipherSuite = m_context.SecurityParameters.CipherSuite;
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        if (alertDescription != AlertDescription.close_notify)
        {
            logger.LogDebug("DTLS {Remote}: sent {Level} alert {Description} ({Message})", remote,
                AlertLevel.GetText(alertLevel), AlertDescription.GetText(alertDescription), message ?? cause?.Message);
        }
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertDescription != AlertDescription.close_notify)
        {
            logger.LogDebug("DTLS {Remote}: received {Level} alert {Description}", remote,
                AlertLevel.GetText(alertLevel), AlertDescription.GetText(alertDescription));
        }
    }
}
