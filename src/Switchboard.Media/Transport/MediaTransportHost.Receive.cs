using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Peers;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Transport;

// The receive side: every datagram or ICE-TCP frame is classified by its first byte (RFC 7983) and goes to its peer.
public sealed partial class MediaTransportHost
{
    /// <summary>Datagrams and frames dropped: unknown sender, unknown ufrag, unparseable, or not a WebRTC packet kind.</summary>
    public long Unmatched;

    private void OnDatagram(UdpMediaListener listener, SocketAddress from, byte[] buffer, int length)
    {
        MultiplexedPacketKind kind = MultiplexedPacket.Classify(buffer.AsSpan(0, length));
        if (kind == MultiplexedPacketKind.Stun)
        {
            if (!_options.UdpEnabled) return;
            if (_peersByAddress.TryGetValue(from, out UdpBinding? bound))
            {
                if (TryHandleResponse(buffer.AsSpan(0, length), bound.Peer, bound.Path)) return;
                // The same address may be checked for another peer (a restarted browser reusing its port): media follows the check.
                if (OnStun(buffer.AsSpan(0, length), bound.Path) is { } checkedPeer && checkedPeer != bound.Peer)
                {
                    Unbind(bound.Peer, bound.Path);
                    Bind(checkedPeer, bound.Path);
                }
                return;
            }
            var path = new UdpMediaPath(listener, Copy(from), ToEndPoint(from));
            if (OnStun(buffer.AsSpan(0, length), path) is { } peer) Bind(peer, path);
            return;
        }
        if (_peersByAddress.TryGetValue(from, out UdpBinding? binding)) Deliver(binding.Peer, binding.Path, kind, buffer, length);
        else Interlocked.Increment(ref Unmatched);
    }

    private bool OnTcpFrame(TcpMediaPath path, ReadOnlyMemory<byte> frame)
    {
        MultiplexedPacketKind kind = MultiplexedPacket.Classify(frame.Span);
        if (kind == MultiplexedPacketKind.Stun)
        {
            if (_peersByConnection.TryGetValue(path, out MediaPeer? bound) && TryHandleResponse(frame.Span, bound, path)) return true;
            if (OnStun(frame.Span, path) is { } peer && !_peersByConnection.ContainsKey(path)) Bind(peer, path);
            return _peersByConnection.ContainsKey(path); // an unbound connection's first frame must be a good check
        }
        if (!_peersByConnection.TryGetValue(path, out MediaPeer? owner)) return false;
        // Into a buffer with room for the handler to protect the packet again in place.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(frame.Length + MediaPeer.ProtectionOverhead);
        try
        {
            frame.Span.CopyTo(buffer);
            Deliver(owner, path, kind, buffer, frame.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return true;
    }

    private void OnTcpClosed(TcpMediaPath path)
    {
        if (!_peersByConnection.TryRemove(path, out MediaPeer? peer)) return;
        peer.Ice.RemovePath(path);
        if (_pathsByPeer.TryGetValue(peer, out HashSet<MediaPath>? paths)) lock (paths) paths.Remove(path);
    }

    /// <summary>Addresses and ICE-TCP connections bound to peers (each peer's at most what its ICE agent holds valid, and one more).</summary>
    internal int BoundPaths => _peersByAddress.Count + _peersByConnection.Count;

    /// <summary>
    /// A path ICE validated for a peer: its datagrams or frames go to that peer from now on. Paths the peer's agent no
    /// longer holds valid (it keeps <see cref="IceLiteAgent{TPath}.MaxValidPaths"/>, the oldest evicted) are unbound at
    /// the same time, so checks from ever new addresses cannot grow the host's maps.
    /// </summary>
    private void Bind(MediaPeer peer, MediaPath path)
    {
        if (peer.IsClosed) return;
        switch (path)
        {
            case UdpMediaPath udp: _peersByAddress[udp.Address] = new UdpBinding(peer, udp); break;
            case TcpMediaPath tcp: _peersByConnection[tcp] = peer; break;
        }
        HashSet<MediaPath> paths = _pathsByPeer.GetOrAdd(peer, _ => []);
        List<MediaPath> stale;
        lock (paths)
        {
            paths.Add(path);
            stale = paths.Where(p => !peer.Ice.IsValidPath(p)).ToList();
            foreach (MediaPath gone in stale) paths.Remove(gone);
        }
        foreach (MediaPath gone in stale) Unbind(peer, gone);
        if (peer.IsClosed) Forget(peer, peer.CloseReason ?? "closed"); // closed meanwhile: nothing of it stays bound
    }

    /// <summary>Removes a path's binding to <paramref name="peer"/> (not another peer's); an ICE-TCP connection is closed.</summary>
    private void Unbind(MediaPeer peer, MediaPath path)
    {
        switch (path)
        {
            case UdpMediaPath udp:
                if (_peersByAddress.TryGetValue(udp.Address, out UdpBinding? binding) && binding.Peer == peer)
                    _peersByAddress.TryRemove(new KeyValuePair<SocketAddress, UdpBinding>(udp.Address, binding));
                break;
            case TcpMediaPath tcp:
                if (_peersByConnection.TryRemove(new KeyValuePair<TcpMediaPath, MediaPeer>(tcp, peer))) tcp.Dispose();
                break;
        }
        if (_pathsByPeer.TryGetValue(peer, out HashSet<MediaPath>? paths)) lock (paths) paths.Remove(path);
    }

    private void Deliver(MediaPeer peer, MediaPath path, MultiplexedPacketKind kind, byte[] buffer, int length)
    {
        switch (kind)
        {
            case MultiplexedPacketKind.Dtls:
                peer.OnDtls(path, buffer.AsSpan(0, length));
                break;
            case MultiplexedPacketKind.Rtp or MultiplexedPacketKind.Rtcp:
                peer.OnSrtp(path, buffer, length, kind == MultiplexedPacketKind.Rtcp, Time.GetMillis());
                break;
            default:
                Interlocked.Increment(ref Unmatched);
                break;
        }
    }

    /// <summary>A STUN response over a peer's bound path goes to that peer (the answer to its own check); true if it was one.</summary>
    private static bool TryHandleResponse(ReadOnlySpan<byte> datagram, MediaPeer peer, MediaPath path)
    {
        if (StunMessageReader.TryParse(datagram, out StunMessageReader message) != StunParseError.None || message.Class == StunClass.Request) return false;
        peer.OnStunResponse(message, path);
        return true;
    }

    /// <summary>A connectivity check: finds the peer by ufrag, lets its agent answer. Returns the peer when the check was good.</summary>
    private MediaPeer? OnStun(ReadOnlySpan<byte> datagram, MediaPath path)
    {
        if (StunMessageReader.TryParse(datagram, out StunMessageReader request) != StunParseError.None
            || !IceUsername.TryGetLocalUfrag(request, out string ufrag) || !_peersByUfrag.TryGetValue(ufrag, out MediaPeer? peer) || peer.IsClosed)
        {
            Interlocked.Increment(ref Unmatched);
            return null;
        }
        Span<byte> response = stackalloc byte[256];
        long now = Time.GetMillis();
        IceCheckOutcome outcome = peer.OnStun(request, path, path.Remote, now, response, out int responseLength);
        if (responseLength > 0) path.Send(response[..responseLength]);
        if (outcome == IceCheckOutcome.NominationPending) peer.PollIce(now);
        return outcome is IceCheckOutcome.Valid or IceCheckOutcome.Nominated or IceCheckOutcome.NominationPending ? peer : null;
    }

    private static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var endPoint = (IPEndPoint)template.Create(address);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>A UDP address ICE validated, with the peer it belongs to.</summary>
    private sealed record UdpBinding(MediaPeer Peer, UdpMediaPath Path);
}
