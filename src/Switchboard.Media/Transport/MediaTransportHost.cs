using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Dtls;
using Switchboard.Media.Peers;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Transport;

/// <summary>
/// The WebRTC transport host: one UDP socket and one ICE-TCP listener shared by every peer. A STUN check finds its
/// peer by the ufrag in USERNAME; once ICE has validated an address, DTLS and SRTP from it go to that peer (RFC 7983
/// demultiplexing by first byte). A timer drops peers whose consent lapsed or whose DTLS failed.
/// </summary>
public sealed partial class MediaTransportHost(IOptions<MediaOptions> options, ILogger<MediaTransportHost> logger, TimeProvider? time = null)
    : IHostedService, IMediaTransport, IDisposable
{
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(100);

    private readonly MediaOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, MediaPeer> _peersByUfrag = new();
    private readonly ConcurrentDictionary<SocketAddress, UdpBinding> _peersByAddress = new();
    private readonly ConcurrentDictionary<TcpMediaPath, MediaPeer> _peersByConnection = new();

    /// <summary>Each peer's bound paths (its UDP addresses and ICE-TCP connections), so forgetting it touches only its own.</summary>
    private readonly ConcurrentDictionary<MediaPeer, HashSet<MediaPath>> _pathsByPeer = new();
    private readonly ConcurrentDictionary<string, MediaPeer> _peers = new();
    private readonly ConcurrentDictionary<MediaPeer, long> _timers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private UdpMediaListener? _udp;
    private TcpMediaListener? _tcp;
    private int _disposed;

    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>The certificate every peer's DTLS presents, made at start.</summary>
    public DtlsCertificate Certificate { get; } = DtlsCertificate.Create();

    /// <summary>Candidates each answer carries (host candidates on the announced addresses).</summary>
    public IReadOnlyList<IceCandidate> Candidates { get; private set; } = [];

    /// <summary>Packets that could not be sent: the kernel refused a UDP send, or an ICE-TCP connection's queue was full.</summary>
    public long SendFailures => (_udp?.SendFailures ?? 0) + (_tcp?.Dropped ?? 0);

    public ICollection<MediaPeer> Peers => _peers.Values;

    /// <summary>Counters of peers that have gone, so totals do not drop when one leaves.</summary>
    internal PeerStatistics Retired { get; } = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        IPAddress listen = IPAddress.Parse(_options.ListenAddress);
        if (listen.Equals(IPAddress.IPv6Any) && !Socket.OSSupportsIPv6) listen = IPAddress.Any;
        _udp = new UdpMediaListener(listen, _options.UdpPort, logger);
        _loops.Add(_udp.RunAsync(OnDatagram, _stopping.Token));
        if (_options.TcpPort >= 0)
        {
            _tcp = new TcpMediaListener(listen, _options.TcpPort, logger);
            _loops.Add(Task.Run(() => _tcp.RunAsync(OnTcpFrame, path => _peersByConnection.ContainsKey(path), OnTcpClosed, _stopping.Token), CancellationToken.None)); // the loops end with _stopping, not with the start
        }
        _loops.Add(Task.Run(() => RunTimersAsync(_stopping.Token), CancellationToken.None));
        Candidates = HostCandidates();
        logger.LogInformation("Media transport on UDP {Udp} and ICE-TCP {Tcp}; candidates {Candidates}", _udp.LocalEndPoint,
            _tcp?.LocalEndPoint.ToString() ?? "off", string.Join(", ", Candidates.Select(c => $"{c.Transport} {c.Address}:{c.Port}")));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (MediaPeer peer in _peers.Values) peer.Close("server shutting down");
        _stopping.Cancel();
        _udp?.Dispose();
        _tcp?.Dispose();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// A new peer for an offer: fresh ICE credentials, the DTLS role the offer leaves to this side, and the transport
    /// lines of the answer. Null when the host is full.
    /// </summary>
    public (MediaPeer Peer, AnswerTransport Transport)? CreatePeer(WebRtcOffer offer, IMediaPeerHandler handler)
    {
        if (_peers.Count >= _options.MaxPeers) return null;
        IceCredentials local;
        do local = IceCredentials.Generate(); while (_peersByUfrag.ContainsKey(local.Ufrag));
        var remote = new IceCredentials(offer.IceUfrag, offer.IcePassword);
        var agent = new IceLiteAgent<MediaPath>(local, remote, _options.ConsentTimeout, Time.GetMillis());
        string setup = offer.AnswerSetup;
        var peer = new MediaPeer(RandomNumberGenerator.GetHexString(16, lowercase: true), agent,
            setup == "passive" ? DtlsRole.Server : DtlsRole.Client, Certificate,
            new CertificateFingerprint(offer.Fingerprint.Algorithm, offer.Fingerprint.Value),
            new DtlsSrtpSettings { HandshakeTimeout = _options.DtlsHandshakeTimeout }, handler, logger, Time);
        peer.Closed += closed => Forget(closed, closed.CloseReason ?? "closed");
        _peers[peer.Id] = peer;
        _peersByUfrag[local.Ufrag] = peer;
        _timers[peer] = 0;
        return (peer, AnswerTransportFor(peer, setup));
    }

    public NewConnection? Connect(WebRtcOffer offer, IMediaPeerHandler handler) =>
        CreatePeer(offer, handler) is var (peer, transport) ? new NewConnection(peer, transport) : null;

    public bool TryRenegotiate(IMediaConnection connection, WebRtcOffer offer, out AnswerTransport transport)
    {
        transport = default!;
        if (connection is not MediaPeer peer || peer.IsClosed || peer.RemoteFingerprint.Value != offer.Fingerprint.Value) return false;
        var remote = new IceCredentials(offer.IceUfrag, offer.IcePassword);
        if (remote != peer.Ice.Remote) RestartIce(peer, remote);
        transport = AnswerTransportFor(peer, peer.DtlsSetup);
        return true;
    }

    /// <summary>
    /// ICE restart (RFC 8445 §9): new local credentials for the peer's new remote ones. Media goes on over the selected
    /// path until the peer's checks with the new credentials nominate one. Returns this side's new credentials.
    /// </summary>
    public IceCredentials RestartIce(MediaPeer peer, IceCredentials remote)
    {
        IceCredentials local;
        do local = IceCredentials.Generate(); while (!_peersByUfrag.TryAdd(local.Ufrag, peer));
        string previous = peer.Ice.Local.Ufrag;
        peer.Ice.Restart(local, remote);
        _peersByUfrag.TryRemove(previous, out _);
        return local;
    }

    /// <summary>The transport lines of an answer for this peer's current credentials.</summary>
    public AnswerTransport AnswerTransportFor(MediaPeer peer, string setup) => new(peer.Ice.Local.Ufrag, peer.Ice.Local.Password,
        new Fingerprint(Certificate.Fingerprint.HashFunction, Certificate.Fingerprint.Value), setup, Candidates, IceLite: true);

    /// <summary>Removes a peer from every map and closes it; runs when it closes itself (DTLS ended) or expires.</summary>
    private void Forget(MediaPeer peer, string reason)
    {
        if (!_peers.TryRemove(peer.Id, out _)) return;
        _peersByUfrag.TryRemove(peer.Ice.Local.Ufrag, out _);
        _timers.TryRemove(peer, out _);
        if (_pathsByPeer.TryRemove(peer, out HashSet<MediaPath>? paths))
        {
            MediaPath[] bound;
            lock (paths) bound = [.. paths];
            foreach (MediaPath path in bound) Unbind(peer, path);
        }
        peer.Statistics.AddTo(Retired);
        peer.Close(reason);
    }

    private async Task RunTimersAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimerPeriod, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                long now = Time.GetMillis();
                foreach ((MediaPeer peer, long due) in _timers)
                {
                    try
                    {
                        if (peer.IsExpired(now, out string reason)) Forget(peer, reason);
                        else
                        {
                            peer.PollIce(now);
                            if (now >= due && peer.IsConnected) _timers[peer] = peer.Handler.OnTimer(peer, now);
                        }
                    }
                    catch (Exception e)
                    {
                        logger.LogWarning(e, "Media peer {Peer} timer failed", peer.Id);
                        Forget(peer, "internal error");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private List<IceCandidate> HostCandidates()
    {
        IEnumerable<IPAddress> addresses = _options.AnnouncedAddresses.Count > 0
            ? _options.AnnouncedAddresses.Select(IPAddress.Parse)
            : LocalAddresses();
        var candidates = new List<IceCandidate>();
        int foundation = 1;
        foreach (IPAddress address in addresses.Distinct())
        {
            // RFC 8445 §5.1.2.1: type preference 126 for host; ICE-TCP below UDP (RFC 6544 §4.2); IPv4 before IPv6.
            uint localPreference = address.AddressFamily == AddressFamily.InterNetwork ? 65535u : 65534u;
            if (_options.UdpEnabled && _udp is not null)
                candidates.Add(new IceCandidate((foundation++).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, "udp",
                    126u << 24 | localPreference << 8 | 255, address.ToString(), _udp.LocalEndPoint.Port, "host", null, null, null));
            if (_tcp is not null)
                candidates.Add(new IceCandidate((foundation++).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, "tcp",
                    90u << 24 | localPreference << 8 | 255, address.ToString(), _tcp.LocalEndPoint.Port, "host", null, null, "passive"));
        }
        return candidates;
    }

    /// <summary>The machine's unicast addresses on interfaces that are up; loopback only when there is nothing else.</summary>
    private List<IPAddress> LocalAddresses()
    {
        IPAddress listen = IPAddress.Parse(_options.ListenAddress);
        if (!listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.IPv6Any)) return [listen];
        var all = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up || i.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal && Socket.OSSupportsIPv6))
            .Where(a => listen.Equals(IPAddress.IPv6Any) || a.AddressFamily == AddressFamily.InterNetwork)
            .ToList();
        var routable = all.Where(a => !IPAddress.IsLoopback(a)).ToList();
        return routable.Count > 0 ? routable : all;
    }

    /// <summary>Idempotent: the container disposes the host once as itself and once as a hosted service.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _udp?.Dispose();
        _tcp?.Dispose();
        _stopping.Dispose();
    }
}
