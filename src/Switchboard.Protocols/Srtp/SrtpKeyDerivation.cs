namespace Switchboard.Protocols.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 §4.3, key derivation rate 0, as DTLS-SRTP uses it; RFC 7714 §11
/// keeps it for AES-GCM): session key = AES-CM(master key, IV = (master salt XOR label &lt;&lt; 48) &lt;&lt; 16).
/// </summary>
public static class SrtpKeyDerivation
{
    /// <summary>Labels of RFC 3711 §4.3.1 and §4.3.2.</summary>
    public const byte RtpEncryption = 0x00, RtpAuthentication = 0x01, RtpSalt = 0x02,
        RtcpEncryption = 0x03, RtcpAuthentication = 0x04, RtcpSalt = 0x05;

    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterKey.Length != SrtpProfileSizes.MasterKeyLength) throw new ArgumentException("The master key must be 16 bytes.", nameof(masterKey));
        if (masterSalt.Length is not (12 or 14)) throw new ArgumentException("The master salt must be 12 or 14 bytes.", nameof(masterSalt));
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label; // key_id = label || index DIV kdr (0), XORed into the salt's low 56 bits
        output.Clear();
        using var aes = new AesCounterMode(masterKey);
        aes.Apply(iv, output);
    }
}
