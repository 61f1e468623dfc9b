using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Policy;

/// <summary>Parses the entries of Turn:AllowedPeers and Turn:DeniedPeers: a CIDR range or a single address.</summary>
public static class PeerRange
{
    private static readonly SearchValues<char> IPv6Characters = SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <exception cref="FormatException"><paramref name="text"/> is not an address or CIDR range; the message says why.</exception>
    public static IPNetwork Parse(string text) =>
        TryParse(text, out var network, out var error) ? network : throw new FormatException(error);

    /// <summary>Parses "10.0.0.0/8", "10.1.2.3" (a /32), "::1" (a /128) or "2001:db8::/32".</summary>
    public static bool TryParse(string? text, out IPNetwork network) => TryParse(text, out network, out _);

    /// <summary>
    /// As <see cref="TryParse(string?, out IPNetwork)"/>; on failure <paramref name="error"/> says why,
    /// quoting the text (e.g. "'10.0.0.1/33' is not an address or CIDR range: ...").
    /// IPv4 must be written as four decimal numbers: shorthand such as "10/8" or "010.0.0.1" reads as
    /// another address than the one meant. A range's address must have no bits set past the prefix,
    /// since "10.0.0.1/8" may be a typo for the single address as much as for 10.0.0.0/8.
    /// </summary>
    public static bool TryParse(string? text, out IPNetwork network, out string error)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Fail(text ?? "", "it is empty", out error);
        }

        var trimmed = text.AsSpan().Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (addressText.Contains('%'))
        {
            return Fail(text, "an IPv6 scope id has no place in a range", out error);
        }

        if (!IPAddress.TryParse(addressText, out var address))
        {
            return Fail(text, $"'{addressText}' is not an IP address", out error);
        }

        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (!isV4 && addressText.ContainsAnyExcept(IPv6Characters))
        {
            // IPAddress.TryParse also takes "[::1]:3478"; a range has neither brackets nor a port.
            return Fail(text, $"'{addressText}' is not a plain IPv6 address", out error);
        }

        if (isV4 && !addressText.SequenceEqual(address.ToString()))
        {
            return Fail(text, $"write the IPv4 address as four decimal numbers without leading zeros ('{addressText}' reads as {address})", out error);
        }

        var maxPrefix = isV4 ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = trimmed[(slash + 1)..];
            if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix)
            {
                return Fail(text, $"the prefix length must be a number from 0 to {maxPrefix} for {(isV4 ? "IPv4" : "IPv6")}", out error);
            }
        }

        if (HasHostBits(address, prefix, out var baseAddress))
        {
            return Fail(text, $"the address has bits set past the /{prefix} prefix; write {baseAddress}/{prefix} for the range or {address} for the single address", out error);
        }

        network = new IPNetwork(address, prefix);
        error = "";
        return true;
    }

    private static bool Fail(string text, string why, out string error)
    {
        error = $"'{text}' is not an address or CIDR range: {why}";
        return false;
    }

    private static bool HasHostBits(IPAddress address, int prefix, out IPAddress baseAddress)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        var hostBits = false;
        for (var i = 0; i < length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            var mask = (byte)(0xFF00 >> keep);
            hostBits |= (bytes[i] & ~mask) != 0;
            bytes[i] &= mask;
        }

        baseAddress = hostBits ? new IPAddress(bytes) : address;
        return hostBits;
    }
}
