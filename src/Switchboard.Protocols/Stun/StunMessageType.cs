namespace Switchboard.Protocols.Stun;

/// <summary>
/// The 14-bit message type: a 12-bit method with the 2 class bits interleaved at bits 4 and 8
/// (RFC 8489 §5, figure 3).
/// </summary>
public readonly record struct StunMessageType(StunMethod Method, StunClass Class)
{
    public static StunMessageType FromWire(ushort value)
    {
        int m = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2);
        int c = ((value & 0x0010) >> 4) | ((value & 0x0100) >> 7);
        return new((StunMethod)m, (StunClass)c);
    }

    public ushort ToWire()
    {
        int m = (int)Method;
        int c = (int)Class;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
    }

    public StunMessageType SuccessResponse => new(Method, StunClass.SuccessResponse);
    public StunMessageType ErrorResponse => new(Method, StunClass.ErrorResponse);

    public override string ToString() => $"{Method} {Class}";
}
