using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>Setup (RFC 9260 §5), shutdown (§9.2), heartbeats (§8.3) and the ERROR and ABORT chunks.</summary>
public sealed partial class SctpAssociation
{
    /// <summary>Unrecognized Parameters reported in one INIT-ACK, at most (bytes).</summary>
    private const int MaxUnrecognizedBytes = 128;

    /// <summary>The longest State Cookie of a peer's INIT-ACK this side echoes.</summary>
    private const int MaxPeerCookieLength = 4096;

    private long _t1At = Never, _t2At = Never;
    private int _t1Retransmits, _t1Rto;
    private byte[]? _cookieEcho;
    private bool _sendCookieAck, _sendShutdown, _sendShutdownAck;

    private long _heartbeatAt = Never, _heartbeatSentAt;
    private uint _heartbeatNonce;
    private bool _heartbeatOutstanding, _sendHeartbeat;

    /// <summary>
    /// Shuts the association down gracefully (RFC 9260 §9.2): no more sends are accepted; once everything queued has been
    /// acknowledged, SHUTDOWN, SHUTDOWN ACK and SHUTDOWN COMPLETE end it. Before it is established it simply ends.
    /// </summary>
    public void Shutdown(long nowMillis)
    {
        Enter(nowMillis);
        try
        {
            if (_terminated) return;
            switch (State)
            {
                case SctpState.Closed or SctpState.CookieWait:
                    Terminate("The association was shut down before it was established.");
                    break;
                case SctpState.CookieEchoed:
                    SendAbort(_peerTag, reflected: false, SctpErrorCauseCode.UserInitiatedAbort, "shutdown");
                    Terminate("The association was shut down before it was established.");
                    break;
                case SctpState.Established:
                    State = SctpState.ShutdownPending;
                    CheckShutdownProgress(nowMillis);
                    break;
            }
        }
        finally
        {
            Exit();
        }
    }

    private bool HandleInit(SctpChunk chunk, long nowMillis)
    {
        if (_terminated || !InitChunk.TryRead(chunk, out var init)) return false;
        if (init.InitiateTag == 0 || init.OutboundStreams == 0 || init.InboundStreams == 0) return false;
        Span<byte> unrecognized = stackalloc byte[MaxUnrecognizedBytes];
        var peer = ReadInitParameters(init, unrecognized, out int unrecognizedLength, out _);

        // §5.2.1: during our own handshake (an INIT collision) the INIT ACK repeats our tag and TSN; otherwise a fresh
        // tag and TSN go into the cookie only: nothing is kept. A restart from an established state (§5.2.2) gets an
        // INIT ACK, but its COOKIE ECHO is refused (this engine does not restart associations).
        bool handshaking = State is SctpState.CookieWait or SctpState.CookieEchoed;
        uint localTag = handshaking ? _localTag : NewTag();
        uint localTsn = handshaking ? _localInitialTsn : NextRandom();
        var cookie = new StateCookie(nowMillis, localTag, localTsn, init.InitiateTag, init.InitialTsn, init.AdvertisedReceiveWindow,
            init.OutboundStreams, init.InboundStreams, peer.ForwardTsn, peer.Reconfig);
        Span<byte> cookieBytes = stackalloc byte[StateCookie.Length];
        cookie.Write(cookieBytes, _cookieSecret);

        int size = SctpPacket.HeaderLength + SctpChunk.HeaderLength + InitChunk.ValueLength(cookieBytes.Length, unrecognizedLength);
        var writer = new SctpPacketWriter(size <= _packetBuffer.Length ? _packetBuffer : new byte[size], _options.LocalPort, _options.RemotePort, init.InitiateTag);
        InitChunk.Write(ref writer, SctpChunkType.InitAck, localTag, _options.ReceiveWindow, _options.OutboundStreams, _options.MaxInboundStreams,
            localTsn, cookieBytes, unrecognized[..unrecognizedLength]);
        Emit(ref writer);
        return true;
    }

    private void HandleInitAck(SctpChunk chunk, long nowMillis)
    {
        if (State != SctpState.CookieWait) return;
        if (!InitChunk.TryRead(chunk, out var initAck) || initAck.InitiateTag == 0 || initAck.OutboundStreams == 0 || initAck.InboundStreams == 0)
        {
            Counters.ChunksDropped++;
            return;
        }
        var peer = ReadInitParameters(initAck, [], out _, out var cookie);
        if (cookie.IsEmpty || cookie.Length > MaxPeerCookieLength)
        {
            Counters.ChunksDropped++;
            return;
        }
        StartAssociation(initAck.InitiateTag, initAck.InitialTsn, initAck.AdvertisedReceiveWindow, initAck.OutboundStreams, initAck.InboundStreams,
            peer.ForwardTsn, peer.Reconfig);
        _cookieEcho = cookie.ToArray();
        State = SctpState.CookieEchoed;
        _t1Retransmits = 0;
        _t1Rto = _rto.Rto;
        _t1At = nowMillis + _t1Rto;
        SendSingleChunk(SctpChunkType.CookieEcho, 0, _cookieEcho, _peerTag);
    }

    /// <summary>
    /// A COOKIE ECHO (RFC 9260 §5.1.5, §5.2.4). Without an association a valid, fresh cookie whose tag is the packet's
    /// creates it. During our own handshake the cookie must carry our tag: it then establishes the association with
    /// the peer's tag it names (cases B and D of §5.2.4). Once established, only a repeat of the cookie that made the
    /// association is answered (D: our COOKIE ACK was lost). False drops the packet.
    /// </summary>
    private bool HandleCookieEcho(SctpChunk chunk, uint tag, long nowMillis)
    {
        if (_terminated || !StateCookie.TryRead(chunk.Value, _cookieSecret, out var cookie) || tag != cookie.LocalTag) return false;
        switch (State)
        {
            case SctpState.Closed or SctpState.CookieWait or SctpState.CookieEchoed:
                if (State != SctpState.Closed && cookie.LocalTag != _localTag) return false;
                long age = nowMillis - cookie.CreatedAtMillis;
                if (age > _options.CookieLifetimeMillis || age < 0)
                {
                    Span<byte> staleness = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(staleness, (uint)Math.Clamp((age - _options.CookieLifetimeMillis) * 1000, 0, uint.MaxValue));
                    Span<byte> cause = stackalloc byte[SctpParameter.SizeOf(4)];
                    SctpErrorCause.Write(cause, SctpErrorCauseCode.StaleCookie, staleness);
                    SendSingleChunk(SctpChunkType.Error, 0, cause, cookie.PeerTag);
                    return false;
                }
                _localTag = cookie.LocalTag;
                _localInitialTsn = cookie.LocalInitialTsn;
                StartAssociation(cookie.PeerTag, cookie.PeerInitialTsn, cookie.PeerReceiveWindow, cookie.PeerOutboundStreams, cookie.PeerInboundStreams,
                    cookie.PeerSupportsForwardTsn, cookie.PeerSupportsReconfig);
                _sendCookieAck = true;
                Establish(nowMillis);
                return true;
            default:
                if (cookie.LocalTag != _localTag || cookie.PeerTag != _peerTag) return false;
                _sendCookieAck = true;
                return true;
        }
    }

    private void HandleCookieAck(long nowMillis)
    {
        if (State == SctpState.CookieEchoed) Establish(nowMillis);
    }

    /// <summary>Sets up the transmission control block from the peer's INIT or INIT ACK (RFC 9260 §5.1, §6.4, §7.2.1).</summary>
    private void StartAssociation(uint peerTag, uint peerInitialTsn, uint peerReceiveWindow, ushort peerOutboundStreams, ushort peerInboundStreams,
        bool forwardTsn, bool reconfig)
    {
        _peerTag = peerTag;
        _outboundStreams = Math.Min(_options.OutboundStreams, peerInboundStreams);
        _inboundStreams = Math.Min(_options.MaxInboundStreams, peerOutboundStreams);
        _peerSupportsForwardTsn = forwardTsn;
        _peerSupportsReconfig = reconfig;
        _received.Start(peerInitialTsn);
        _nextTsn = _localInitialTsn;
        _cumAck = _advancedPeerAckPoint = _localInitialTsn - 1;
        _peerRwnd = peerReceiveWindow;
        _lastPeerArwnd = peerReceiveWindow;
        _cwnd = InitialCongestionWindow;
        _ssthresh = (int)Math.Min(Math.Max(peerReceiveWindow, 4u * (uint)_options.Mtu), int.MaxValue);
        _reconfigRequestSequence = _localInitialTsn;
        _peerReconfigExpected = peerInitialTsn;
    }

    private void Establish(long nowMillis)
    {
        State = SctpState.Established;
        _t1At = Never;
        _cookieEcho = null;
        _errorCount = 0;
        _heartbeatAt = nowMillis + _options.HeartbeatIntervalMillis + _rto.Rto;
        _events.Enqueue((EventKind.Established, null));
    }

    private void OnT1Expired(long nowMillis)
    {
        _t1At = Never;
        if (State is not (SctpState.CookieWait or SctpState.CookieEchoed)) return;
        if (++_t1Retransmits > _options.MaxInitRetransmits)
        {
            Terminate(State == SctpState.CookieWait
                ? $"The peer did not answer INIT ({_t1Retransmits} transmissions)."
                : $"The peer did not answer COOKIE ECHO ({_t1Retransmits} transmissions).");
            return;
        }
        _t1Rto = RtoEstimator.BackedOff(_t1Rto, _options.RtoMaxMillis, _options.MaxBackoffMillis);
        if (State == SctpState.CookieWait) SendInit();
        else SendSingleChunk(SctpChunkType.CookieEcho, 0, _cookieEcho, _peerTag);
        _t1At = nowMillis + _t1Rto;
    }

    private void SendInit()
    {
        var writer = NewPacket(0);
        InitChunk.Write(ref writer, SctpChunkType.Init, _localTag, _options.ReceiveWindow, _options.OutboundStreams, _options.MaxInboundStreams,
            _localInitialTsn, [], []);
        Emit(ref writer);
    }

    /// <summary>
    /// What the peer's INIT or INIT ACK parameters say: FORWARD-TSN and RE-CONFIG support, the State Cookie, and the
    /// unknown parameters to report (RFC 9260 §3.2.1: bit 14 asks for a report; with bit 15 clear, processing stops).
    /// </summary>
    private static (bool ForwardTsn, bool Reconfig) ReadInitParameters(InitChunk init, Span<byte> unrecognized, out int unrecognizedLength,
        out ReadOnlySpan<byte> cookie)
    {
        bool forwardTsn = false, reconfig = false;
        unrecognizedLength = 0;
        cookie = default;
        var parameters = init.Parameters;
        while (parameters.MoveNext())
        {
            var parameter = parameters.Current;
            switch ((ushort)parameter.Type)
            {
                case (ushort)SctpParameterType.StateCookie:
                    cookie = parameter.Value;
                    break;
                case (ushort)SctpParameterType.ForwardTsnSupported:
                    forwardTsn = true;
                    break;
                case (ushort)SctpParameterType.SupportedExtensions:
                    foreach (byte type in parameter.Value)
                    {
                        if (type == (byte)SctpChunkType.ForwardTsn) forwardTsn = true;
                        if (type == (byte)SctpChunkType.ReConfig) reconfig = true;
                    }
                    break;
                // IPv4 and IPv6 addresses, cookie preservative, host name, supported address types, AUTH's random, chunk
                // list and HMAC algorithms: known, and of no use over DTLS.
                case 5 or 6 or 9 or 11 or 12 or 0x8002 or 0x8003 or 0x8004:
                    break;
                default:
                    int size = SctpParameter.SizeOf(parameter.Bytes.Length);
                    if (parameter.ReportUnknown && unrecognizedLength + size <= unrecognized.Length)
                    {
                        parameter.Bytes.CopyTo(SctpParameter.Write(unrecognized[unrecognizedLength..], (ushort)SctpParameterType.UnrecognizedParameter,
                            parameter.Bytes.Length));
                        unrecognizedLength += size;
                    }
                    if (!parameter.SkipUnknown) return (forwardTsn, reconfig);
                    break;
            }
        }
        return (forwardTsn, reconfig);
    }

    private void HandleShutdown(SctpChunk chunk, long nowMillis)
    {
        if (chunk.Value.Length < 4)
        {
            Counters.ChunksDropped++;
            return;
        }
        if (!HasPeer) return;
        AcknowledgeCumulative(BinaryPrimitives.ReadUInt32BigEndian(chunk.Value), nowMillis);
        switch (State)
        {
            case SctpState.Established or SctpState.ShutdownPending:
                State = SctpState.ShutdownReceived;
                CheckShutdownProgress(nowMillis);
                break;
            case SctpState.ShutdownSent:
                State = SctpState.ShutdownAckSent;
                _sendShutdownAck = true;
                _t2At = nowMillis + _rto.Rto;
                break;
        }
    }

    private void HandleShutdownAck()
    {
        if (State is not (SctpState.ShutdownSent or SctpState.ShutdownAckSent)) return;
        SendSingleChunk(SctpChunkType.ShutdownComplete, 0, [], _peerTag);
        Terminate("The association was shut down.");
    }

    private void HandleShutdownComplete()
    {
        if (State == SctpState.ShutdownAckSent) Terminate("The association was shut down.");
    }

    /// <summary>
    /// Once all our data is acknowledged, SHUTDOWN-PENDING sends SHUTDOWN and SHUTDOWN-RECEIVED sends SHUTDOWN ACK
    /// (RFC 9260 §9.2), each under the T2-shutdown timer.
    /// </summary>
    private void CheckShutdownProgress(long nowMillis)
    {
        if (State is not (SctpState.ShutdownPending or SctpState.ShutdownReceived) || _bufferedBytes > 0 || _outstanding.Count > 0) return;
        if (State == SctpState.ShutdownPending)
        {
            State = SctpState.ShutdownSent;
            _sendShutdown = true;
        }
        else
        {
            State = SctpState.ShutdownAckSent;
            _sendShutdownAck = true;
        }
        _t3At = Never;
        _t2At = nowMillis + _rto.Rto;
    }

    private void OnT2Expired(long nowMillis)
    {
        _t2At = Never;
        if (State is not (SctpState.ShutdownSent or SctpState.ShutdownAckSent)) return;
        if (!CountError("SHUTDOWN")) return;
        _rto.BackOff();
        if (State == SctpState.ShutdownSent) _sendShutdown = true;
        else _sendShutdownAck = true;
        _t2At = nowMillis + _rto.Rto;
    }

    /// <summary>Counts a timeout toward AssociationMaxRetransmits (RFC 9260 §8.1); false when the association ended on it.</summary>
    private bool CountError(string what)
    {
        if (++_errorCount <= _options.AssociationMaxRetransmits) return true;
        SendAbort(_peerTag, reflected: false, SctpErrorCauseCode.ProtocolViolation, "too many retransmissions");
        Terminate($"The peer stopped answering: {what} timed out {_errorCount} times in a row.");
        return false;
    }

    private void HandleError(SctpChunk chunk, long nowMillis)
    {
        if (State != SctpState.CookieEchoed) return;
        foreach (var cause in new SctpParameterEnumerator(chunk.Value))
        {
            if (cause.RawType != (ushort)SctpErrorCauseCode.StaleCookie) continue;
            // §5.2.6: our cookie went stale on the way: start again with a new INIT (counted as a T1 retransmission).
            if (++_t1Retransmits > _options.MaxInitRetransmits)
            {
                Terminate("The peer found every State Cookie stale.");
                return;
            }
            State = SctpState.CookieWait;
            _peerTag = 0;
            _cookieEcho = null;
            SendInit();
            _t1At = nowMillis + _t1Rto;
            return;
        }
    }

    /// <summary>
    /// Heartbeats (RFC 9260 §8.3) on an idle association: one after HeartbeatIntervalMillis plus RTO without DATA sent;
    /// an answer is due within an RTO, else the error counter grows and another goes. The answer measures the RTT.
    /// </summary>
    private void OnHeartbeatTimer(long nowMillis)
    {
        _heartbeatAt = Never;
        if (State != SctpState.Established) return;
        if (_heartbeatOutstanding && !CountError("HEARTBEAT")) return;
        if (_flightSize > 0)
        {
            _heartbeatOutstanding = false;
            _heartbeatAt = nowMillis + _options.HeartbeatIntervalMillis + _rto.Rto;
            return;
        }
        _heartbeatNonce = NextRandom();
        _heartbeatSentAt = nowMillis;
        _heartbeatOutstanding = true;
        _sendHeartbeat = true;
        _heartbeatAt = nowMillis + _rto.Rto;
    }

    private void HandleHeartbeatAck(SctpChunk chunk, long nowMillis)
    {
        if (!HeartbeatInfo.TryRead(chunk.Value, out long sentAt, out uint nonce) || !_heartbeatOutstanding || nonce != _heartbeatNonce || sentAt != _heartbeatSentAt)
            return;
        Counters.HeartbeatAcksReceived++;
        _heartbeatOutstanding = false;
        _errorCount = 0;
        _rto.AddMeasurement(nowMillis - sentAt);
        _heartbeatAt = nowMillis + _options.HeartbeatIntervalMillis + _rto.Rto;
    }

    /// <summary>DATA went out: the path is not idle, the next heartbeat waits.</summary>
    private void PostponeHeartbeat(long nowMillis)
    {
        if (!_heartbeatOutstanding && State == SctpState.Established) _heartbeatAt = nowMillis + _options.HeartbeatIntervalMillis + _rto.Rto;
    }
}
