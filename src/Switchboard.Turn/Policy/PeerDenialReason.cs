namespace Switchboard.Turn.Policy;

/// <summary>Why the peer policy refused a peer address; also the metrics label of a denial.</summary>
public enum PeerDenialReason
{
    /// <summary>Not denied.</summary>
    None = 0,

    /// <summary>0.0.0.0/8 or ::, which a socket delivers to this host.</summary>
    Unspecified,

    /// <summary>127.0.0.0/8 or ::1.</summary>
    Loopback,

    /// <summary>10/8, 172.16/12, 192.168/16.</summary>
    Private,

    /// <summary>100.64.0.0/10, carrier-grade NAT.</summary>
    SharedAddressSpace,

    /// <summary>169.254.0.0/16 (cloud metadata lives here) or fe80::/10.</summary>
    LinkLocal,

    /// <summary>192.0.0.0/24.</summary>
    ProtocolAssignments,

    /// <summary>192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32.</summary>
    Documentation,

    /// <summary>198.18.0.0/15.</summary>
    Benchmarking,

    /// <summary>224.0.0.0/4 or ff00::/8.</summary>
    Multicast,

    /// <summary>240.0.0.0/4.</summary>
    Reserved,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>fc00::/7.</summary>
    UniqueLocal,

    /// <summary>fec0::/10, the deprecated site-local range.</summary>
    SiteLocal,

    /// <summary>An entry of Turn:DeniedPeers.</summary>
    OperatorDenied,
}
