using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.Configuration.Coturn;

/// <summary>
/// IP address literals and coturn's "first-last" address ranges.
/// </summary>
internal static class IpRange
{
    /// <summary>
    /// Parses an IPv4 address in dotted-quad form or an IPv6 address without a zone index.
    /// Shorthand IPv4 forms ("10.1", "167772161") that <see cref="IPAddress.TryParse(string, out IPAddress)"/>
    /// would take are refused: coturn reads addresses with inet_pton, which does not accept them either.
    /// </summary>
    public static bool TryParseLiteral(string text, out IPAddress address)
    {
        address = IPAddress.None;
        text = text.Trim(' ', '\t');
        if (text.Length == 0 || text.Contains('%') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = text.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)))
            {
                return false;
            }
        }
        else if (parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>
    /// The smallest list of CIDR blocks that together cover exactly the addresses from
    /// <paramref name="first"/> to <paramref name="last"/>, both included, in ascending order.
    /// </summary>
    /// <exception cref="ArgumentException">The two addresses are of different families, or first is after last.</exception>
    public static IReadOnlyList<string> ToCidrBlocks(IPAddress first, IPAddress last)
    {
        if (first.AddressFamily != last.AddressFamily)
        {
            throw new ArgumentException($"{first} and {last} are of different address families.");
        }

        var family = first.AddressFamily;
        int width = family == AddressFamily.InterNetwork ? 32 : 128;
        UInt128 start = ToNumber(first);
        UInt128 end = ToNumber(last);
        if (start > end)
        {
            throw new ArgumentException($"{first} comes after {last}.");
        }

        var blocks = new List<string>();
        while (true)
        {
            // The block starting at 'start' can be as large as start's alignment allows...
            int alignBits = start == UInt128.Zero ? width : Math.Min(width, (int)UInt128.TrailingZeroCount(start));
            // ...and no larger than what is left of the range (span = addresses left - 1, so no overflow).
            UInt128 span = end - start;
            int sizeBits = span == UInt128.MaxValue ? 128 : (int)UInt128.Log2(span + UInt128.One);
            int bits = Math.Min(alignBits, sizeBits);

            blocks.Add($"{FromNumber(start, family)}/{width - bits}");
            if (bits == 128)
            {
                break; // ::/0, the whole IPv6 space
            }

            UInt128 blockLast = start + ((UInt128.One << bits) - UInt128.One);
            if (blockLast == end)
            {
                break;
            }

            start = blockLast + UInt128.One;
        }

        return blocks;
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 n = UInt128.Zero;
        foreach (byte b in address.GetAddressBytes())
        {
            n = (n << 8) | b;
        }

        return n;
    }

    private static IPAddress FromNumber(UInt128 n, AddressFamily family)
    {
        var bytes = new byte[family == AddressFamily.InterNetwork ? 4 : 16];
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(n & 0xFF);
            n >>= 8;
        }

        return new IPAddress(bytes);
    }
}
