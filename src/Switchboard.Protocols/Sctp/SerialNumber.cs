namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Serial number arithmetic (RFC 1982) for TSNs (32 bits) and stream sequence numbers (16 bits), as RFC 9260 §1.6
/// requires: a is before b when b - a, taken modulo 2^n, is below half the number space.
/// </summary>
public static class SerialNumber
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    public static bool Le(uint a, uint b) => (int)(a - b) <= 0;
    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    public static bool Ge(uint a, uint b) => (int)(a - b) >= 0;

    public static bool Lt(ushort a, ushort b) => (short)(a - b) < 0;
    public static bool Le(ushort a, ushort b) => (short)(a - b) <= 0;

    /// <summary>Orders TSNs that lie within 2^31 of each other.</summary>
    public static readonly IComparer<uint> TsnComparer = Comparer<uint>.Create(static (a, b) => (int)(a - b) switch { < 0 => -1, > 0 => 1, _ => 0 });
}
