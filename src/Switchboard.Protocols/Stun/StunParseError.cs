namespace Switchboard.Protocols.Stun;

/// <summary>Why bytes are not a well-formed STUN message.</summary>
public enum StunParseError
{
    None,
    TooShort,
    NotStun,             // the first two bits are not zero
    BadMagicCookie,
    LengthNotMultipleOf4,
    LengthMismatch,      // the header's length does not match the bytes given
    TruncatedAttribute,  // an attribute's length runs past the message
    AttributeAfterFingerprint,
    BadMessageIntegrityLength,
    BadFingerprintLength,
}
