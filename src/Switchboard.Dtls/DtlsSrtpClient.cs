using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Dtls;

/// <summary>
/// The client side of a DTLS-SRTP handshake (a=setup:active): for the load tool, tests, and a server that connects
/// to another media server. Offers what <see cref="DtlsSrtpServer"/> accepts.
/// </summary>
internal sealed class DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate certificate, CertificateFingerprint remoteFingerprint,
    DtlsSrtpSettings settings) : DefaultTlsClient(crypto)
{
    private int _profile = -1;

    private void VerifyServer(Certificate presented) => PeerCertificateCheck.Verify(presented, remoteFingerprint);

    private TlsCredentials ClientCredentials() => certificate.CreateSigner((BcTlsCrypto)Crypto, m_context);

    public SrtpKeyingMaterial? Keys { get; private set; }

    public string? Alert { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, SrtpKeyingMaterial.CipherSuites);

    public override int GetHandshakeTimeoutMillis() => (int)settings.HandshakeTimeout.TotalMilliseconds;

    public override int GetHandshakeResendTimeMillis() => (int)settings.InitialRetransmission.TotalMilliseconds;

    public override bool RequiresExtendedMasterSecret() => true;

    public override bool IgnoreCorruptDtlsRecords => true;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetClientExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(SrtpKeyingMaterial.PreferredProfiles, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        UseSrtpData? chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (chosen is null || chosen.ProtectionProfiles.Length != 1 || !SrtpKeyingMaterial.PreferredProfiles.Contains(chosen.ProtectionProfiles[0]))
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server chose no SRTP protection profile this side offered");
        _profile = chosen.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = SrtpKeyingMaterial.Export(m_context, _profile);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) =>
        Alert = AlertText.Sent(alertDescription, message);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => Alert = AlertText.Received(alertDescription);

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) => client.VerifyServer(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => client.ClientCredentials();
    }
}
