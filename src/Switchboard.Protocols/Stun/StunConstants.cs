namespace Switchboard.Protocols.Stun;

/// <summary>Fixed numbers of the STUN header (RFC 8489 §5).</summary>
public static class StunConstants
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    public const int TransactionIdLength = 12;
    public const int AttributeHeaderLength = 4;

    /// <summary>XORed into the CRC-32 of FINGERPRINT (RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    public const int MessageIntegrityLength = 20;
    public const int MessageIntegritySha256Length = 32;
    public const int FingerprintLength = 4;

    /// <summary>Rounds an attribute length up to its 4-byte boundary (RFC 8489 §14).</summary>
    public static int Padded(int length) => (length + 3) & ~3;
}
