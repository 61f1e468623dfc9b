using System.Net;

namespace Switchboard.Turn.Allocations;

/// <summary>A channel bound to a peer transport address (RFC 8656 §12); lives 10 minutes unless refreshed.</summary>
public sealed class ChannelBinding(ushort number, IPEndPoint peer, long expiresAt)
{
    public const int LifetimeSeconds = 600;

    public ushort Number { get; } = number;
    public IPEndPoint Peer { get; } = peer;
    public PeerEndpointKey PeerKey { get; } = PeerEndpointKey.From(peer);

    /// <summary>The peer in native form, made once so that sending to it allocates nothing.</summary>
    public SocketAddress PeerSocketAddress { get; } = peer.Serialize();

    public long ExpiresAt { get; set; } = expiresAt;
}
