using System.Net;

namespace Switchboard.Turn.Policy;

/// <summary>A range the relay refuses unless the operator opens it, and the reason it reports.</summary>
public readonly record struct DeniedPeerRange(IPNetwork Range, PeerDenialReason Reason);

/// <summary>
/// The ranges a relay refuses by default: everything that leads into this host, the operator's
/// private network, cloud metadata, or nowhere. IPv6 forms that embed an IPv4 address (mapped,
/// 6to4, Teredo, NAT64) are not listed: <see cref="PeerAddressNormalizer"/> resolves them and the
/// embedded address is judged by this table.
/// </summary>
public static class DefaultDeniedPeers
{
    private static readonly DeniedPeerRange[] Entries =
    [
        // "This network", RFC 1122 §3.2.1.3; 0.0.0.0 reaches this host (coturn CVE-2020-26262).
        Range("0.0.0.0/8", PeerDenialReason.Unspecified),
        // Unspecified address, RFC 4291 §2.5.2.
        Range("::/128", PeerDenialReason.Unspecified),
        // Loopback, RFC 1122 §3.2.1.3.
        Range("127.0.0.0/8", PeerDenialReason.Loopback),
        // Loopback, RFC 4291 §2.5.3.
        Range("::1/128", PeerDenialReason.Loopback),
        // Private networks, RFC 1918.
        Range("10.0.0.0/8", PeerDenialReason.Private),
        // Private networks, RFC 1918.
        Range("172.16.0.0/12", PeerDenialReason.Private),
        // Private networks, RFC 1918.
        Range("192.168.0.0/16", PeerDenialReason.Private),
        // Shared address space (carrier-grade NAT), RFC 6598.
        Range("100.64.0.0/10", PeerDenialReason.SharedAddressSpace),
        // Link-local, RFC 3927; cloud metadata services answer at 169.254.169.254.
        Range("169.254.0.0/16", PeerDenialReason.LinkLocal),
        // IETF protocol assignments, RFC 6890.
        Range("192.0.0.0/24", PeerDenialReason.ProtocolAssignments),
        // Documentation (TEST-NET-1), RFC 5737.
        Range("192.0.2.0/24", PeerDenialReason.Documentation),
        // Documentation (TEST-NET-2), RFC 5737.
        Range("198.51.100.0/24", PeerDenialReason.Documentation),
        // Documentation (TEST-NET-3), RFC 5737.
        Range("203.0.113.0/24", PeerDenialReason.Documentation),
        // Documentation, RFC 3849.
        Range("2001:db8::/32", PeerDenialReason.Documentation),
        // Benchmarking, RFC 2544.
        Range("198.18.0.0/15", PeerDenialReason.Benchmarking),
        // Multicast, RFC 5771.
        Range("224.0.0.0/4", PeerDenialReason.Multicast),
        // Multicast, RFC 4291 §2.7.
        Range("ff00::/8", PeerDenialReason.Multicast),
        // Limited broadcast, RFC 919 §7; listed before 240.0.0.0/4, which holds it.
        Range("255.255.255.255/32", PeerDenialReason.Broadcast),
        // Reserved for future use, RFC 1112 §4.
        Range("240.0.0.0/4", PeerDenialReason.Reserved),
        // Unique local, RFC 4193.
        Range("fc00::/7", PeerDenialReason.UniqueLocal),
        // Link-local, RFC 4291 §2.5.6.
        Range("fe80::/10", PeerDenialReason.LinkLocal),
        // Site-local, deprecated by RFC 3879.
        Range("fec0::/10", PeerDenialReason.SiteLocal),
    ];

    /// <summary>The table, most specific entry first where entries overlap.</summary>
    public static IReadOnlyList<DeniedPeerRange> All => Entries;

    /// <summary>Why <paramref name="address"/> (already normalized) is denied by default, or None.</summary>
    public static PeerDenialReason Match(IPAddress address)
    {
        foreach (var entry in Entries)
        {
            if (entry.Range.Contains(address))
            {
                return entry.Reason;
            }
        }

        return PeerDenialReason.None;
    }

    private static DeniedPeerRange Range(string cidr, PeerDenialReason reason) => new(IPNetwork.Parse(cidr), reason);
}
