namespace Switchboard.Protocols.Srtp;

/// <summary>
/// The SRTP protection profiles negotiated in DTLS's use_srtp extension (RFC 5764 §4.1.2, RFC 7714 §14.2);
/// the values are the profile identifiers on the wire.
/// </summary>
public enum SrtpProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES counter mode, 80-bit HMAC-SHA1 tag (RFC 3711).</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-GCM with a 16-byte tag (RFC 7714).</summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>Key, salt and tag sizes of each profile.</summary>
public static class SrtpProfileSizes
{
    public const int MasterKeyLength = 16;

    /// <summary>Master salt: 112 bits for AES-CM (RFC 3711 §8.2), 96 bits for AES-GCM (RFC 7714 §12).</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 12 : 14;

    /// <summary>Bytes appended to each SRTP packet: the authentication tag.</summary>
    public static int RtpTagLength(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>Bytes appended to each SRTCP packet: the tag and the 4-byte E flag + SRTCP index.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => RtpTagLength(profile) + 4;
}
