using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// One allocation (RFC 8656 §2.2): the client's 5-tuple, its relayed transport address(es), the
/// permissions and channel bindings, and the lifetime. The relay receive loops and the client's
/// message handling both touch it; tables are guarded by one lock, the per-packet paths allocate nothing.
/// </summary>
public sealed class Allocation : IDisposable
{
    /// <summary>RFC 8656 §9: a permission lives 300 seconds unless refreshed.</summary>
    public const int PermissionLifetimeSeconds = 300;

    private readonly Lock _sync = new();
    private readonly Dictionary<PeerKey, long> _permissions = [];
    private readonly Dictionary<ushort, ChannelBinding> _channelsByNumber = [];
    private readonly Dictionary<PeerEndpointKey, ChannelBinding> _channelsByPeer = [];
    private readonly AllocationLimits _limits;
    private readonly TurnMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly BandwidthLimiter _toPeer;
    private readonly BandwidthLimiter _toClient;
    private readonly byte[] _indicationId = new byte[StunConstants.TransactionIdLength];
    private uint _indicationCounter;

    // Send indication destinations, filled in place for one synchronous send at a time on each thread.
    [ThreadStatic] private static SocketAddress? t_sendAddressV4;
    [ThreadStatic] private static SocketAddress? t_sendAddressV6;
    private int _disposed;
    private long _bytesToPeer, _bytesToClient;

    internal Allocation(long id, ClientConnection client, string username, StunTransactionId allocateTransaction,
        AllocationLimits limits, TurnMetrics metrics, TimeProvider time)
    {
        Id = id;
        Client = client;
        Username = username;
        AllocateTransaction = allocateTransaction;
        _limits = limits;
        _metrics = metrics;
        _time = time;
        _toPeer = new BandwidthLimiter(limits.MaxBitsPerSecond);
        _toClient = new BandwidthLimiter(limits.MaxBitsPerSecond);
        System.Security.Cryptography.RandomNumberGenerator.Fill(_indicationId);
    }

    public long Id { get; }
    public ClientConnection Client { get; }
    public string Username { get; }

    /// <summary>The Allocate request that made it, to answer its retransmissions (RFC 8656 §7.2).</summary>
    public StunTransactionId AllocateTransaction { get; }

    /// <summary>The long-term key (and its algorithm) that authenticated the Allocate: requests on the allocation may use it after a REST username expired.</summary>
    internal byte[] CredentialKey { get; set; } = [];
    internal StunPasswordAlgorithm CredentialAlgorithm { get; set; }

    /// <summary>The RESERVATION-TOKEN the Allocate success carried, repeated to its retransmissions.</summary>
    internal ulong? ReservationToken { get; set; }

    /// <summary>The ADDRESS-ERROR-CODE (for IPv6) the Allocate success carried, or 0; repeated to its retransmissions.</summary>
    internal int AdditionalAddressError { get; set; }

    public UdpRelay? RelayV4 { get; private set; }
    public UdpRelay? RelayV6 { get; private set; }

    /// <summary>The TCP relay of an RFC 6062 allocation; null for UDP allocations.</summary>
    public TcpRelay? TcpRelay { get; private set; }

    /// <summary>Application bytes relayed client to peer, and peer to client (UDP and TCP relays).</summary>
    public long BytesToPeer => Interlocked.Read(ref _bytesToPeer);
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    public long ExpiresAt { get; set; }
    public int LifetimeSeconds { get; set; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Called when the allocation is gone, to return ports and update counts.</summary>
    internal Action<Allocation>? Released { get; set; }

    internal void AttachRelays(UdpRelay? v4, UdpRelay? v6)
    {
        RelayV4 = v4;
        RelayV6 = v6;
    }

    internal void AttachTcpRelay(TcpRelay relay) => TcpRelay = relay;

    public bool HasRelayFor(AddressFamily family) => TcpRelay is not null
        ? TcpRelay.AddressFamily == family
        : (family == AddressFamily.InterNetwork ? RelayV4 : RelayV6) is not null;

    public long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- Permissions (RFC 8656 §9) ----

    /// <summary>Installs or refreshes permissions for all the peers, or none when the cap would be passed.</summary>
    public bool TryInstallPermissions(ReadOnlySpan<PeerKey> peers, long now)
    {
        lock (_sync)
        {
            int added = 0;
            for (int i = 0; i < peers.Length; i++)
            {
                // A peer named twice in one request (two ports of one address) is one new permission.
                if (!_permissions.ContainsKey(peers[i]) && !peers[..i].Contains(peers[i])) added++;
            }
            if (_permissions.Count + added > _limits.MaxPermissions) return false;
            foreach (var peer in peers) _permissions[peer] = now + PermissionLifetimeSeconds * 1000L;
            return true;
        }
    }

    public bool HasPermission(PeerKey peer, long now)
    {
        lock (_sync) return _permissions.TryGetValue(peer, out long expiresAt) && expiresAt > now;
    }

    public int PermissionCount { get { lock (_sync) return _permissions.Count; } }

    // ---- Channels (RFC 8656 §12) ----

    /// <summary>Binds or refreshes a channel, which also installs or refreshes the peer's permission (§12.2).</summary>
    public ChannelBindOutcome TryBindChannel(ushort number, IPEndPoint peer, long now)
    {
        var peerKey = PeerEndpointKey.From(peer);
        lock (_sync)
        {
            bool numberBound = _channelsByNumber.TryGetValue(number, out var byNumber);
            bool peerBound = _channelsByPeer.TryGetValue(peerKey, out var byPeer);
            if (numberBound && byNumber!.PeerKey != peerKey) return ChannelBindOutcome.NumberInUse;
            if (peerBound && byPeer!.Number != number) return ChannelBindOutcome.PeerBoundToOtherChannel;
            bool needsPermission = !_permissions.ContainsKey(peerKey.Address);
            if (!numberBound && _channelsByNumber.Count >= _limits.MaxChannels) return ChannelBindOutcome.QuotaReached;
            if (needsPermission && _permissions.Count >= _limits.MaxPermissions) return ChannelBindOutcome.QuotaReached;

            long expiresAt = now + ChannelBinding.LifetimeSeconds * 1000L;
            if (numberBound) byNumber!.ExpiresAt = expiresAt;
            else
            {
                var binding = new ChannelBinding(number, peer, expiresAt);
                _channelsByNumber[number] = binding;
                _channelsByPeer[peerKey] = binding;
            }
            _permissions[peerKey.Address] = now + PermissionLifetimeSeconds * 1000L;
            return ChannelBindOutcome.Bound;
        }
    }

    public int ChannelCount { get { lock (_sync) return _channelsByNumber.Count; } }

    /// <summary>
    /// Drops expired permissions and channels (§9, §12: they are not refreshed implicitly), and closes
    /// peer data connections that no ConnectionBind claimed in time (RFC 6062 §5.2, §5.3).
    /// </summary>
    public void ExpireEntries(long now)
    {
        TcpRelay?.ClosePendingBefore(now);
        lock (_sync)
        {
            foreach (var (peer, expiresAt) in _permissions)
                if (expiresAt <= now) _permissions.Remove(peer);
            foreach (var (number, binding) in _channelsByNumber)
            {
                if (binding.ExpiresAt > now) continue;
                _channelsByNumber.Remove(number);
                _channelsByPeer.Remove(binding.PeerKey);
            }
        }
    }

    // ---- TCP data connections (RFC 6062) ----

    /// <summary>Milliseconds a data connection waits before relaying <paramref name="bytes"/> to the peer (Turn:MaxBitsPerSecond).</summary>
    internal int PaceToPeer(int bytes)
    {
        if (_toPeer.IsUnlimited) return 0;
        lock (_sync) return _toPeer.TakeAndGetDelay(bytes, Now);
    }

    /// <summary>Milliseconds a data connection waits before relaying <paramref name="bytes"/> to the client.</summary>
    internal int PaceToClient(int bytes)
    {
        if (_toClient.IsUnlimited) return 0;
        lock (_sync) return _toClient.TakeAndGetDelay(bytes, Now);
    }

    internal TurnMetrics Metrics => _metrics;
    internal TimeProvider Time => _time;

    // ---- Client to peer ----

    /// <summary>ChannelData from the client (§12.6): relayed when the channel is bound, dropped otherwise.</summary>
    public void SendChannelData(ushort number, ReadOnlySpan<byte> data)
    {
        long now = Now;
        ChannelBinding? binding;
        lock (_sync)
        {
            if (!_channelsByNumber.TryGetValue(number, out binding) || binding.ExpiresAt <= now) binding = null;
        }
        if (binding is null) { _metrics.Dropped("unbound_channel"); return; }
        SendToPeer(data, binding.PeerSocketAddress, binding.Peer.AddressFamily, now);
    }

    /// <summary>
    /// A Send indication's data (§11.2): relayed when a permission for the peer exists. The destination is written into a per-thread SocketAddress
    /// that the synchronous send below is done with before returning, so nothing is allocated.
    /// </summary>
    public void SendIndicationData(PeerKey peer, ushort port, ReadOnlySpan<byte> data)
    {
        long now = Now;
        if (!HasPermission(peer, now)) { _metrics.Dropped("no_permission"); return; }
        var address = peer.IsIPv6
            ? t_sendAddressV6 ??= new SocketAddress(AddressFamily.InterNetworkV6)
            : t_sendAddressV4 ??= new SocketAddress(AddressFamily.InterNetwork);
        peer.WriteTo(address, port);
        SendToPeer(data, address, peer.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, now);
    }

    private void SendToPeer(ReadOnlySpan<byte> data, SocketAddress peer, AddressFamily family, long now)
    {
        var relay = family == AddressFamily.InterNetwork ? RelayV4 : RelayV6;
        if (relay is null) { _metrics.Dropped("family_mismatch"); return; }
        if (data.Length > (family == AddressFamily.InterNetwork ? 65_507 : UdpRelay.MaxDatagram)) { _metrics.Dropped("oversized"); return; }
        if (!_toPeer.TryConsume(data.Length, now)) { _metrics.Dropped("bandwidth_cap"); return; }
        relay.SendTo(data, peer);
        RelayedToPeer(data.Length);
    }

    // ---- Peer to client ----

    /// <summary>
    /// A datagram from a peer at buffer[Headroom..Headroom+length] (§11.3, §12.6): dropped without a
    /// permission; sent as ChannelData when a channel is bound to the peer, else as a Data indication.
    /// </summary>
    internal void DeliverFromPeer(UdpRelay relay, byte[] buffer, int length, SocketAddress from)
    {
        long now = Now;
        var peerKey = PeerKey.From(from, out ushort port);
        ChannelBinding? binding;
        int headerLength, wireLength;
        lock (_sync)
        {
            if (!_permissions.TryGetValue(peerKey, out long expiresAt) || expiresAt <= now)
            {
                _metrics.Dropped("no_permission");
                return;
            }
            if (!_channelsByPeer.TryGetValue(new PeerEndpointKey(peerKey, port), out binding) || binding.ExpiresAt <= now) binding = null;
            headerLength = binding is not null
                ? ChannelData.HeaderLength
                : StunConstants.HeaderLength + StunConstants.AttributeHeaderLength * 2 + (peerKey.IsIPv6 ? 20 : 8);
            wireLength = binding is not null ? ChannelData.WireLength(length, Client.IsStream) : headerLength + StunConstants.Padded(length);
            // §11.3: a STUN message's length field is 16 bits, so an IPv6 peer's 65,505 bytes fit in no Data indication;
            // and a UDP or DTLS client takes no datagram larger than its transport carries.
            if (binding is null && wireLength - StunConstants.HeaderLength > ushort.MaxValue || wireLength > Client.MaxMessageLength)
            {
                _metrics.Dropped("oversized");
                return;
            }
            if (!_toClient.TryConsume(length, now))
            {
                _metrics.Dropped("bandwidth_cap");
                return;
            }
        }

        const int dataStart = UdpRelay.Headroom;
        int start = dataStart - headerLength;
        if (binding is not null)
        {
            ChannelData.WriteHeader(buffer.AsSpan(start), binding.Number, length);
            buffer.AsSpan(dataStart + length, wireLength - ChannelData.HeaderLength - length).Clear();
            Client.Send(buffer.AsSpan(start, wireLength));
        }
        else
        {
            NextIndicationId();
            var writer = new StunMessageWriter(buffer.AsSpan(start), new StunMessageType(StunMethod.Data, StunClass.Indication), _indicationId);
            Span<byte> peerAddress = stackalloc byte[16];
            int peerAddressLength = peerKey.WriteBytes(peerAddress);
            StunAddress.Encode(writer.Reserve(StunAttributeType.XorPeerAddress, peerKey.IsIPv6 ? 20 : 8), peerAddress[..peerAddressLength], port, _indicationId);
            writer.Reserve(StunAttributeType.Data, length); // the data is already in place
            Client.Send(writer.Written);
        }
        RelayedToClient(length);
    }

    internal void RelayedToPeer(int bytes)
    {
        Interlocked.Add(ref _bytesToPeer, bytes);
        _metrics.RelayedToPeer(bytes);
    }

    internal void RelayedToClient(int bytes)
    {
        Interlocked.Add(ref _bytesToClient, bytes);
        _metrics.RelayedToClient(bytes);
    }

    private void NextIndicationId() => BinaryPrimitives.WriteUInt32BigEndian(_indicationId.AsSpan(8), ++_indicationCounter);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        RelayV4?.Dispose();
        RelayV6?.Dispose();
        TcpRelay?.Dispose();
        Released?.Invoke(this);
    }
}

/// <summary>Caps that apply to each allocation.</summary>
public sealed record AllocationLimits(int MaxPermissions, int MaxChannels, long MaxBitsPerSecond);

public enum ChannelBindOutcome { Bound, NumberInUse, PeerBoundToOtherChannel, QuotaReached }
