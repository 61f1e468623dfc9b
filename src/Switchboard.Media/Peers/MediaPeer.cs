using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Dtls;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Srtp;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Peers;

/// <summary>
/// One WebRTC peer of the media server: its ICE-lite agent, its DTLS-SRTP session (started when ICE has validated a
/// path), its SRTP contexts, and the handler its decrypted media goes to. The host feeds it datagrams by kind and
/// drops it when <see cref="IsExpired"/>.
/// </summary>
public sealed class MediaPeer : IMediaConnection, IDisposable
{
    /// <summary>Room an SRTP tag and SRTCP trailer need after a packet in a send buffer.</summary>
    public const int ProtectionOverhead = 32;

    private readonly object _inboundLock = new();
    private readonly object _outboundLock = new();
    private readonly DtlsSrtpSession _dtls;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    /// <summary>
    /// SRTP that arrives between the peer's end of the handshake and this side's (the DTLS client finishes first and
    /// sends media at once), held until the keys are here.
    /// </summary>
    private const int MaxEarlyPackets = 64;

    private readonly Queue<(byte[] Packet, bool IsRtcp)> _early = new();
    private SrtpContext? _inbound, _outbound;
    private MediaPath? _dtlsPath;
    private long _expiresAt = long.MaxValue;
    private int _closed;

    internal MediaPeer(string id, IceLiteAgent<MediaPath> ice, DtlsRole role, DtlsCertificate certificate,
        CertificateFingerprint remoteFingerprint, DtlsSrtpSettings dtlsSettings, IMediaPeerHandler handler, ILogger logger, TimeProvider time)
    {
        _time = time;
        Id = id;
        Ice = ice;
        RemoteFingerprint = remoteFingerprint;
        Handler = handler;
        _logger = logger;
        _dtls = new DtlsSrtpSession(role, certificate, remoteFingerprint, SendDtls, dtlsSettings);
        _dtls.Connected += OnDtlsConnected;
        _dtls.ApplicationData += record =>
        {
            Interlocked.Increment(ref Statistics.DataPacketsReceived);
            Handler.OnSctp(this, record, _time.GetMillis());
        };
        _dtls.Ended += reason => Close(reason);
    }

    public string Id { get; }

    /// <summary>Raised once, after <see cref="Close"/>: the host forgets the peer.</summary>
    internal event Action<MediaPeer>? Closed;

    public IceLiteAgent<MediaPath> Ice { get; }
    public IMediaPeerHandler Handler { get; }

    /// <summary>The certificate fingerprint the peer's SDP announced.</summary>
    public CertificateFingerprint RemoteFingerprint { get; }

    /// <summary>This side's a=setup in answers: passive as the DTLS server, active as the client.</summary>
    public string DtlsSetup => _dtls.Role == DtlsRole.Server ? "passive" : "active";
    public PeerStatistics Statistics { get; } = new();

    /// <summary>The negotiated DTLS-SRTP parameters once connected.</summary>
    public SrtpKeyingMaterial? Keys => _dtls.Keys;

    public bool IsConnected => _outbound is not null;
    public bool IsClosed => Volatile.Read(ref _closed) != 0;
    public string? CloseReason { get; private set; }

    /// <summary>The path media goes out on, once the peer nominated one.</summary>
    public MediaPath? SelectedPath => Ice.TryGetSelectedPath(out MediaPath path) ? path : null;

    /// <summary>Ends the peer at <paramref name="atMillis"/> (a session length limit), on the host's timer.</summary>
    public void ExpireAt(long atMillis) => Volatile.Write(ref _expiresAt, atMillis);

    /// <summary>True when the peer must go: closed, consent lapsed, or past its time.</summary>
    internal bool IsExpired(long nowMillis, out string reason)
    {
        reason = CloseReason ?? "";
        if (IsClosed) return true;
        if (Ice.IsConsentExpired(nowMillis)) { reason = "ICE consent expired"; return true; }
        if (nowMillis >= Volatile.Read(ref _expiresAt)) { reason = "session time limit reached"; return true; }
        return false;
    }

    internal IceCheckOutcome OnStun(in StunMessageReader request, MediaPath path, IPEndPoint source, long nowMillis, Span<byte> response, out int responseLength)
    {
        IceCheckOutcome outcome = Ice.HandleBindingRequest(request, path, source, nowMillis, response, out responseLength);
        // RFC 5763 §5: a DTLS client starts once ICE has a path; the server role waits for the ClientHello.
        if (outcome == IceCheckOutcome.Nominated && _dtls.Role == DtlsRole.Client && !_dtls.IsConnected)
        {
            _dtlsPath ??= path;
            _dtls.Start();
        }
        return outcome;
    }

    /// <summary>A STUN response over a bound path: the answer to this side's check of a newly nominated path, if it is one.</summary>
    internal void OnStunResponse(in StunMessageReader response, MediaPath path)
    {
        if (Ice.HandleBindingResponse(response, path)) _logger.LogDebug("Media peer {Peer}: media moves to {Path}, which answered its check", Id, path);
    }

    /// <summary>Sends this side's check of a newly nominated path when one is due (the host's timer, and right after the nomination).</summary>
    internal void PollIce(long nowMillis)
    {
        Span<byte> request = stackalloc byte[256];
        if (Ice.TryWriteVerification(nowMillis, request, out MediaPath path, out int length)) path.Send(request[..length]);
    }

    internal void OnDtls(MediaPath path, ReadOnlySpan<byte> datagram)
    {
        if (!Ice.IsValidPath(path)) return; // DTLS only from where ICE proved the peer is (no HelloVerifyRequest)
        _dtlsPath = path;
        _dtls.Start();
        _dtls.OnDatagram(datagram);
    }

    internal void OnSrtp(MediaPath path, Span<byte> buffer, int length, bool isRtcp, long nowMillis)
    {
        if (!Ice.IsValidPath(path)) return;
        lock (_inboundLock)
        {
            SrtpContext? inbound = _inbound;
            if (inbound is null)
            {
                if (!_dtls.IsEnded && _early.Count < MaxEarlyPackets) _early.Enqueue((buffer[..length].ToArray(), isRtcp));
                return;
            }
            Unprotect(inbound, buffer, length, isRtcp, nowMillis);
        }
    }

    /// <summary>Authenticates and decrypts one packet in place and hands it to the handler (under the inbound lock).</summary>
    private void Unprotect(SrtpContext inbound, Span<byte> buffer, int length, bool isRtcp, long nowMillis)
    {
        Span<byte> packet = buffer[..length];
        SrtpResult result = isRtcp ? inbound.UnprotectRtcp(packet, out int plain) : inbound.UnprotectRtp(packet, out plain);
        if (result != SrtpResult.Ok)
        {
            Interlocked.Increment(ref Statistics.PacketsDiscarded);
            return;
        }
        Interlocked.Increment(ref Statistics.PacketsReceived);
        Interlocked.Add(ref Statistics.BytesReceived, length);
        if (isRtcp) Handler.OnRtcp(this, buffer, plain, nowMillis);
        else Handler.OnRtp(this, buffer, plain, nowMillis);
    }

    /// <summary>Protects an RTP packet in place and sends it on the selected path; <paramref name="buffer"/> needs <see cref="ProtectionOverhead"/> spare bytes.</summary>
    public bool SendRtp(Span<byte> buffer, int length) => Send(buffer, length, isRtcp: false);

    /// <summary>Protects a compound RTCP packet in place and sends it on the selected path.</summary>
    public bool SendRtcp(Span<byte> buffer, int length) => Send(buffer, length, isRtcp: true);

    private bool Send(Span<byte> buffer, int length, bool isRtcp)
    {
        MediaPath? path = SelectedPath;
        if (path is null || IsClosed) return false;
        lock (_outboundLock)
        {
            SrtpContext? outbound = _outbound;
            if (outbound is null) return false;
            SrtpResult result = isRtcp ? outbound.ProtectRtcp(buffer, length, out int protectedLength) : outbound.ProtectRtp(buffer, length, out protectedLength);
            if (result != SrtpResult.Ok) return false;
            path.Send(buffer[..protectedLength]);
            Interlocked.Increment(ref Statistics.PacketsSent);
            Interlocked.Add(ref Statistics.BytesSent, protectedLength);
            return true;
        }
    }

    public bool IsDtlsClient => _dtls.Role == DtlsRole.Client;

    public bool SendSctp(ReadOnlySpan<byte> packet)
    {
        if (IsClosed || !_dtls.Send(packet)) return false;
        Interlocked.Increment(ref Statistics.DataPacketsSent);
        return true;
    }

    private void SendDtls(ReadOnlySpan<byte> datagram) => (_dtlsPath ?? SelectedPath)?.Send(datagram);

    private void OnDtlsConnected(SrtpKeyingMaterial keys)
    {
        lock (_outboundLock)
            _outbound = new SrtpContext(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt);
        _logger.LogDebug("Media peer {Peer}: DTLS {Version} connected over {Path}, SRTP {Profile}", Id, keys.DtlsVersion, _dtlsPath, keys.Profile);
        Handler.OnConnected(this);
        lock (_inboundLock)
        {
            _inbound = new SrtpContext(keys.Profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
            while (_early.TryDequeue(out var early))
            {
                byte[] buffer = new byte[early.Packet.Length + ProtectionOverhead];
                early.Packet.CopyTo(buffer, 0);
                Unprotect(_inbound, buffer, early.Packet.Length, early.IsRtcp, _time.GetMillis());
            }
        }
    }

    /// <summary>As <see cref="Close"/>: the SRTP contexts go with the peer.</summary>
    public void Dispose() => Close("disposed");

    /// <summary>Ends the peer (idempotent): close_notify if connected, the handler told once. The host forgets it on its next timer.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseReason = reason;
        _dtls.Close();
        lock (_inboundLock) { _inbound?.Dispose(); _inbound = null; }
        lock (_outboundLock) { _outbound?.Dispose(); _outbound = null; }
        _logger.LogDebug("Media peer {Peer} closed: {Reason}", Id, reason);
        Handler.OnClosed(this, reason);
        Closed?.Invoke(this);
    }
}
