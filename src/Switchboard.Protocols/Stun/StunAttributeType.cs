namespace Switchboard.Protocols.Stun;

/// <summary>
/// STUN attribute types of RFC 8489, 8656, 6062, 6156 (folded into 8656), 8445 and 5780
/// (IANA "STUN Attributes" registry). Values below 0x8000 are comprehension-required.
/// </summary>
public enum StunAttributeType : ushort
{
    MappedAddress = 0x0001,           // RFC 8489 §14.1
    ChangeRequest = 0x0003,           // RFC 5780 §7.2
    Username = 0x0006,                // RFC 8489 §14.3
    MessageIntegrity = 0x0008,        // RFC 8489 §14.5
    ErrorCode = 0x0009,               // RFC 8489 §14.8
    UnknownAttributes = 0x000A,       // RFC 8489 §14.9
    ChannelNumber = 0x000C,           // RFC 8656 §18.1
    Lifetime = 0x000D,                // RFC 8656 §18.2
    XorPeerAddress = 0x0012,          // RFC 8656 §18.3
    Data = 0x0013,                    // RFC 8656 §18.4
    Realm = 0x0014,                   // RFC 8489 §14.9
    Nonce = 0x0015,                   // RFC 8489 §14.10
    XorRelayedAddress = 0x0016,       // RFC 8656 §18.5
    RequestedAddressFamily = 0x0017,  // RFC 8656 §18.6
    EvenPort = 0x0018,                // RFC 8656 §18.7
    RequestedTransport = 0x0019,      // RFC 8656 §18.8
    DontFragment = 0x001A,            // RFC 8656 §18.9
    MessageIntegritySha256 = 0x001C,  // RFC 8489 §14.6
    PasswordAlgorithm = 0x001D,       // RFC 8489 §14.12
    UserHash = 0x001E,                // RFC 8489 §14.4
    XorMappedAddress = 0x0020,        // RFC 8489 §14.2
    ReservationToken = 0x0022,        // RFC 8656 §18.10
    Priority = 0x0024,                // RFC 8445 §16.1
    UseCandidate = 0x0025,            // RFC 8445 §16.1
    Padding = 0x0026,                 // RFC 5780 §7.6
    ResponsePort = 0x0027,            // RFC 5780 §7.5
    ConnectionId = 0x002A,            // RFC 6062 §6.2.1
    AdditionalAddressFamily = 0x8000, // RFC 8656 §18.11
    AddressErrorCode = 0x8001,        // RFC 8656 §18.12
    PasswordAlgorithms = 0x8002,      // RFC 8489 §14.11
    AlternateDomain = 0x8003,         // RFC 8489 §14.16
    Icmp = 0x8004,                    // RFC 8656 §18.13
    Software = 0x8022,                // RFC 8489 §14.14
    AlternateServer = 0x8023,         // RFC 8489 §14.15
    CacheTimeout = 0x8027,            // RFC 5780 §7.4
    Fingerprint = 0x8028,             // RFC 8489 §14.7
    IceControlled = 0x8029,           // RFC 8445 §16.1
    IceControlling = 0x802A,          // RFC 8445 §16.1
    ResponseOrigin = 0x802B,          // RFC 5780 §7.3
    OtherAddress = 0x802C,            // RFC 5780 §7.4
}

public static class StunAttributeTypeExtensions
{
    /// <summary>RFC 8489 §14: 0x0000-0x7FFF must be understood, or the request gets 420.</summary>
    public static bool IsComprehensionRequired(this StunAttributeType type) => (ushort)type < 0x8000;
}
