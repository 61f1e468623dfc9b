using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Dtls;

/// <summary>
/// The server side of a DTLS-SRTP handshake as today's browsers need it: DTLS 1.2 only (Chromium and Firefox offer 1.3
/// with 1.2 as fallback; offering 1.3 fails), ECDSA suites, use_srtp with AES-GCM preferred, extended master secret
/// required, and a client certificate requested and checked against the SDP fingerprint.
/// </summary>
internal sealed class DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, CertificateFingerprint remoteFingerprint,
    DtlsSrtpSettings settings) : DefaultTlsServer(crypto)
{
    private int _profile = -1;

    public SrtpKeyingMaterial? Keys { get; private set; }

    /// <summary>The last alert either side raised, for the failure message.</summary>
    public string? Alert { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, SrtpKeyingMaterial.CipherSuites);

    protected override bool PreferLocalCipherSuites() => true;

    public override int GetHandshakeTimeoutMillis() => (int)settings.HandshakeTimeout.TotalMilliseconds;

    public override int GetHandshakeResendTimeMillis() => (int)settings.InitialRetransmission.TotalMilliseconds;

    public override bool RequiresExtendedMasterSecret() => true;

    /// <summary>Records that fail authentication are dropped, not fatal (RFC 6347 §4.1.2.7).</summary>
    public override bool IgnoreCorruptDtlsRecords => true;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => certificate.CreateSigner((BcTlsCrypto)Crypto, m_context);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        UseSrtpData offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions)
            ?? throw new TlsFatalAlert(AlertDescription.handshake_failure, "the client offered no use_srtp extension");
        _profile = SrtpKeyingMaterial.PreferredProfiles.FirstOrDefault(p => offered.ProtectionProfiles.Contains(p), -1);
        if (_profile < 0) throw new TlsFatalAlert(AlertDescription.handshake_failure, "no SRTP protection profile in common");
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetServerExtensions();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([_profile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    /// <summary>RFC 5763 §5: the client must present a certificate; its fingerprint must be the one in the SDP.</summary>
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) =>
        PeerCertificateCheck.Verify(clientCertificate, remoteFingerprint);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = SrtpKeyingMaterial.Export(m_context, _profile);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) =>
        Alert = AlertText.Sent(alertDescription, message);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => Alert = AlertText.Received(alertDescription);
}
