using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Policy;

/// <summary>
/// Finds the addresses an IPv6 peer address really reaches. Several IPv6 forms carry an IPv4
/// address that a host's stack, a tunnel or a translator turns the packet towards, so a policy
/// that looked only at the IPv6 address would let ::ffff:10.0.0.1 or 2002:a00:1:: into a private network.
/// </summary>
public static class PeerAddressNormalizer
{
    /// <summary>
    /// The address packets to <paramref name="address"/> really reach: the IPv4 address inside an
    /// IPv4-mapped, IPv4-compatible, IPv4-translated, 6to4 or NAT64 address, the client address of a
    /// Teredo address; any other address as it is, without its IPv6 scope id.
    /// For a NAT64 local-use address this assumes a /96 translation prefix; the policy checks the other readings too.
    /// </summary>
    public static IPAddress Normalize(IPAddress address) => GetAddressesToCheck(address).Reached;

    /// <summary>
    /// Every address the policy must check for <paramref name="address"/>: the one it reaches
    /// (<see cref="Normalize"/>) first, then any further embedded IPv4 address (the Teredo server,
    /// other NAT64 local-use readings) and, when something was embedded, the IPv6 address itself.
    /// Allocates only for the addresses it takes out of an IPv6 address or when it drops a scope id.
    /// </summary>
    public static PeerAddressSet GetAddressesToCheck(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return new PeerAddressSet(address);
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        var self = address.ScopeId == 0 ? address : new IPAddress(bytes);

        PeerAddressSet set;
        if (IsZero(bytes[..10]) && bytes[10] == 0xFF && bytes[11] == 0xFF)
        {
            // IPv4-mapped, ::ffff:0:0/96 (RFC 4291 §2.5.5.2).
            set = new PeerAddressSet(IPv4(bytes[12..]));
        }
        else if (IsZero(bytes[..8]) && bytes[8] == 0xFF && bytes[9] == 0xFF && bytes[10] == 0 && bytes[11] == 0)
        {
            // IPv4-translated, ::ffff:0:0:0/96 (RFC 2765).
            set = new PeerAddressSet(IPv4(bytes[12..]));
        }
        else if (IsZero(bytes[..12]))
        {
            // IPv4-compatible, ::/96 (RFC 4291 §2.5.5.1); :: and ::1 are themselves.
            var last = bytes[12..];
            if (IsZero(last[..3]) && last[3] <= 1)
            {
                return new PeerAddressSet(self);
            }

            set = new PeerAddressSet(IPv4(last));
        }
        else if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            // 6to4, 2002::/16 (RFC 3056 §2): 2002:AABB:CCDD::/48 belongs to the site at AA.BB.CC.DD.
            set = new PeerAddressSet(IPv4(bytes[2..6]));
        }
        else if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0)
        {
            // Teredo, 2001::/32 (RFC 4380 §4): server IPv4 in bits 32..63, client IPv4 inverted in bits 96..127.
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                client[i] = (byte)~bytes[12 + i];
            }

            set = new PeerAddressSet(IPv4(client));
            set.Add(IPv4(bytes[4..8]));
        }
        else if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && IsZero(bytes[4..12]))
        {
            // NAT64 well-known prefix, 64:ff9b::/96 (RFC 6052 §2.1).
            set = new PeerAddressSet(IPv4(bytes[12..]));
        }
        else if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && bytes[4] == 0 && bytes[5] == 1)
        {
            // NAT64 local-use prefix, 64:ff9b:1::/48 (RFC 8215).
            set = LocalUseNat64(bytes);
        }
        else
        {
            return new PeerAddressSet(self);
        }

        set.Add(self);
        return set;
    }

    /// <summary>
    /// The operator picks the translation prefix length inside 64:ff9b:1::/48 (RFC 8215), so the
    /// IPv4 address may sit where RFC 6052 §2.2 puts it for a /48, /56, /64 or /96 prefix. The /96
    /// reading is always taken; a shorter one only when the address fits its layout (bits 64..71
    /// and the suffix zero), so a /96 deployment is not refused because of a meaningless reading.
    /// </summary>
    private static PeerAddressSet LocalUseNat64(ReadOnlySpan<byte> bytes)
    {
        var set = new PeerAddressSet(IPv4(bytes[12..]));
        if (bytes[8] != 0)
        {
            return set;
        }

        Span<byte> v4 = stackalloc byte[4];
        if (IsZero(bytes[13..]))
        {
            set.Add(IPv4(bytes[9..13]));
        }

        if (IsZero(bytes[12..]))
        {
            v4[0] = bytes[7];
            bytes[9..12].CopyTo(v4[1..]);
            set.Add(IPv4(v4));
        }

        if (IsZero(bytes[11..]))
        {
            bytes[6..8].CopyTo(v4);
            bytes[9..11].CopyTo(v4[2..]);
            set.Add(IPv4(v4));
        }

        return set;
    }

    private static IPAddress IPv4(ReadOnlySpan<byte> bytes) => new(bytes[..4]);

    private static bool IsZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);
}
