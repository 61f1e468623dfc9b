using Org.BouncyCastle.Tls;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Dtls;

/// <summary>
/// What a DTLS-SRTP handshake yields: the SRTP profile it negotiated and the master keys and salts for each direction,
/// exported with the "EXTRACTOR-dtls_srtp" label (RFC 5764 §4.2), and the DTLS parameters for statistics.
/// </summary>
public sealed record SrtpKeyingMaterial(SrtpProfile Profile, byte[] LocalMasterKey, byte[] LocalMasterSalt,
    byte[] RemoteMasterKey, byte[] RemoteMasterSalt, string DtlsVersion, int CipherSuite)
{
    /// <summary>Profiles in the order this side prefers them: AES-GCM costs a fraction of AES-CM with HMAC-SHA1.</summary>
    public static readonly int[] PreferredProfiles = [SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80];

    /// <summary>Exports the keys; must run inside NotifyHandshakeComplete (BouncyCastle refuses once the handshake returned).</summary>
    internal static SrtpKeyingMaterial Export(TlsContext context, int profileId)
    {
        var profile = (SrtpProfile)profileId;
        int keyLength = SrtpProfileSizes.MasterKeyLength, saltLength = profile.MasterSaltLength();
        // client key, server key, client salt, server salt
        byte[] material = context.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", null, 2 * (keyLength + saltLength));
        byte[] clientKey = material[..keyLength], serverKey = material[keyLength..(2 * keyLength)];
        byte[] clientSalt = material[(2 * keyLength)..(2 * keyLength + saltLength)], serverSalt = material[(2 * keyLength + saltLength)..];
        string version = context.ServerVersion?.ToString() ?? "DTLS";
        int suite = context.SecurityParameters.CipherSuite;
        return context.IsServer
            ? new SrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt, version, suite)
            : new SrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt, version, suite);
    }

    /// <summary>
    /// Suites with an ECDSA certificate only: WebRTC endpoints use ECDSA P-256, and an RSA suite would be chosen
    /// without an RSA credential (internal_error).
    /// </summary>
    internal static readonly int[] CipherSuites =
    [
        Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];
}
