namespace Switchboard.Protocols.Stun;

/// <summary>STUN methods (IANA "STUN Methods" registry).</summary>
public enum StunMethod : ushort
{
    Binding = 0x001,            // RFC 8489
    Allocate = 0x003,           // RFC 8656 §7
    Refresh = 0x004,            // RFC 8656 §8
    Send = 0x006,               // RFC 8656 §11
    Data = 0x007,               // RFC 8656 §11
    CreatePermission = 0x008,   // RFC 8656 §10
    ChannelBind = 0x009,        // RFC 8656 §12
    Connect = 0x00A,            // RFC 6062 §4.3
    ConnectionBind = 0x00B,     // RFC 6062 §4.4
    ConnectionAttempt = 0x00C,  // RFC 6062 §4.4
}

/// <summary>STUN message classes (RFC 8489 §5).</summary>
public enum StunClass : byte
{
    Request = 0b00,
    Indication = 0b01,
    SuccessResponse = 0b10,
    ErrorResponse = 0b11,
}
