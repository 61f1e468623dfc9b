using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// One SCTP association for WebRTC data channels (RFC 9260 as RFC 8261 runs it over DTLS, with RFC 3758 partial
/// reliability and RFC 6525 stream reset), sans-IO: packets come in through <see cref="Receive"/> and go out through
/// the transmit callback (which must copy the span, and must not call back into the association), time is the
/// caller's (<c>nowMillis</c>, any monotonic clock), and <see cref="OnTimer"/> runs the timers when
/// <see cref="NextTimerMillis"/> comes. Not thread-safe: the caller serializes every call. Any input bytes are safe:
/// <see cref="Receive"/> never throws for them, memory is bounded by the options (receive window, send queue) and the
/// work per packet by its size and the association's own bounded state.
/// </summary>
public sealed partial class SctpAssociation
{
    private const long Never = long.MaxValue;

    /// <summary>Common header and DATA chunk header: what a full-size fragment leaves of the MTU.</summary>
    private const int DataOverhead = SctpPacket.HeaderLength + DataChunk.HeaderLength;

    private readonly SctpOptions _options;
    private readonly Action<ReadOnlySpan<byte>> _transmit;
    private readonly ISctpAssociationListener _listener;
    private readonly byte[] _cookieSecret;
    private readonly byte[] _packetBuffer;
    private readonly Queue<(EventKind Kind, object? Payload)> _events = new();
    private readonly RtoEstimator _rto;
    private int _depth;

    /// <summary>The time of the call being served (Abort has none of its own).</summary>
    private long _now;
    private bool _dispatching;

    /// <summary>Set once the association has ended (OnClosed raised): it stays Closed and takes no new handshake.</summary>
    private bool _terminated;

    private uint _localTag, _peerTag, _localInitialTsn;
    private ushort _outboundStreams, _inboundStreams;
    private bool _peerSupportsForwardTsn, _peerSupportsReconfig;

    /// <summary>Errors counted toward AssociationMaxRetransmits (RFC 9260 §8.1): T3, T2, heartbeat and RE-CONFIG timeouts.</summary>
    private int _errorCount;

    public SctpAssociation(SctpOptions options, Action<ReadOnlySpan<byte>> transmit, ISctpAssociationListener listener)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transmit);
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Mtu, 256);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Mtu, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReceiveWindow, 1500u);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ReceiveWindow, (uint)int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfZero(options.OutboundStreams);
        ArgumentOutOfRangeException.ThrowIfZero(options.MaxInboundStreams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RtoMinMillis);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RtoMaxMillis, options.RtoMinMillis);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBurst);
        _options = options;
        _transmit = transmit;
        _listener = listener;
        _cookieSecret = options.CookieSecret is { Length: > 0 } secret ? secret.ToArray() : RandomNumberGenerator.GetBytes(32);
        _packetBuffer = new byte[options.Mtu];
        _rto = new RtoEstimator(options.RtoInitialMillis, options.RtoMinMillis, options.RtoMaxMillis, options.MaxBackoffMillis);
        // As many TSNs past a hole as the window holds in chunks of 16 bytes: a sender counts only payload against the window,
        // so a full window of small messages behind one loss must all be kept (and reported), or the sender can only wait
        // for its retransmission timer. Each kept chunk costs its payload and a small record: a few MiB at most.
        int maxOutOfOrder = (int)Math.Clamp(options.ReceiveWindow / 16, 256, 65536);
        _received = new ReceivedTsns(maxOutOfOrder);
        _reassembly = new ReassemblyQueue(options.MaxReceiveMessageSize, maxOutOfOrder);
        _cwnd = InitialCongestionWindow;
        _ssthresh = int.MaxValue;
    }

    public SctpState State { get; private set; }

    public long NextTimerMillis => _terminated ? Never : Math.Min(Math.Min(Math.Min(_t1At, _t2At), Math.Min(_t3At, _delayedAckAt)), Math.Min(_heartbeatAt, _reconfigAt));

    public int CongestionWindow => _cwnd;
    public int SlowStartThreshold => _ssthresh;
    public int RtoMillis => _rto.Rto;
    public int? SmoothedRttMillis => _rto.SmoothedRtt;

    /// <summary>RTTVAR of RFC 9260 §6.3.1, rounded; null before the first measurement.</summary>
    public int? RttVariationMillis => _rto.RttVariation;

    /// <summary>The peer's receive window as this side estimates it: its last a_rwnd less what has been sent since.</summary>
    public uint PeerReceiveWindow => _peerRwnd;

    public int BytesInFlight => _flightSize;

    /// <summary>Received bytes held for reassembly, out-of-order delivery or a stream reset (bounded by the receive window).</summary>
    public long ReceiveBufferedBytes => _reassembly.BufferedBytes;

    /// <summary>TSNs received above the cumulative TSN (bounded).</summary>
    internal int OutOfOrderTsnCount => _received.OutOfOrderCount;

    /// <summary>Queued plus sent and not yet acknowledged (or abandoned) bytes.</summary>
    public int BufferedAmount => (int)_bufferedBytes;

    /// <summary>The number of outbound and inbound streams negotiated (0 before the association is established).</summary>
    public ushort OutboundStreamCount => _outboundStreams;
    public ushort InboundStreamCount => _inboundStreams;

    /// <summary>Whether the peer offered FORWARD-TSN (RFC 3758) and RE-CONFIG (RFC 6525).</summary>
    public bool PeerSupportsPartialReliability => _peerSupportsForwardTsn;
    public bool PeerSupportsStreamReset => _peerSupportsReconfig;

    public SctpCounters Counters { get; } = new();

    /// <summary>Active open: sends INIT (RFC 9260 §5.1). Only from Closed, before any association.</summary>
    public void Connect(long nowMillis)
    {
        Enter(nowMillis);
        try
        {
            if (State != SctpState.Closed || _terminated) return;
            _localTag = NewTag();
            _localInitialTsn = NextRandom();
            State = SctpState.CookieWait;
            _t1Retransmits = 0;
            _t1Rto = _rto.Rto;
            SendInit();
            _t1At = nowMillis + _t1Rto;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>One SCTP packet (a DTLS record's plaintext). Anything malformed is dropped and counted; nothing throws.</summary>
    public void Receive(ReadOnlySpan<byte> packet, long nowMillis)
    {
        Enter(nowMillis);
        try
        {
            Counters.PacketsReceived++;
            if (!SctpPacket.TryParse(packet, out var parsed) || !ProcessPacket(parsed, nowMillis)) Counters.PacketsDropped++;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs the timers that are due; returns the next deadline (long.MaxValue if none).</summary>
    public long OnTimer(long nowMillis)
    {
        Enter(nowMillis);
        try
        {
            if (_t1At <= nowMillis) OnT1Expired(nowMillis);
            if (_t3At <= nowMillis && !_terminated) OnT3Expired(nowMillis);
            if (_t2At <= nowMillis && !_terminated) OnT2Expired(nowMillis);
            if (_delayedAckAt <= nowMillis)
            {
                _delayedAckAt = Never;
                _sackNow = true;
            }
            if (_heartbeatAt <= nowMillis && !_terminated) OnHeartbeatTimer(nowMillis);
            if (_reconfigAt <= nowMillis && !_terminated) OnReconfigTimer(nowMillis);
        }
        finally
        {
            Exit();
        }
        return NextTimerMillis;
    }

    /// <summary>Ends the association at once with an ABORT carrying a User-Initiated Abort cause (RFC 9260 §9.1).</summary>
    public void Abort(string reason)
    {
        Enter(_now);
        try
        {
            if (_terminated) return;
            if (State is not (SctpState.Closed or SctpState.CookieWait)) SendAbort(_peerTag, reflected: false, SctpErrorCauseCode.UserInitiatedAbort, reason);
            Terminate(reason);
        }
        finally
        {
            Exit();
        }
    }

    private bool HasPeer => State is not (SctpState.Closed or SctpState.CookieWait or SctpState.CookieEchoed) && !_terminated;

    private void Enter(long nowMillis)
    {
        _depth++;
        _now = nowMillis;
    }

    /// <summary>Leaving the outermost call: send what is due, then tell the listener what happened.</summary>
    private void Exit()
    {
        if (--_depth > 0) return;
        if (HasPeer) Flush(_now);
        Dispatch();
    }

    private void Dispatch()
    {
        if (_dispatching) return;
        _dispatching = true;
        try
        {
            while (_events.TryDequeue(out var pending))
            {
                switch (pending.Kind)
                {
                    case EventKind.Established: _listener.OnEstablished(); break;
                    case EventKind.Message: _listener.OnMessage((SctpMessage)pending.Payload!); break;
                    case EventKind.IncomingStreamsReset: _listener.OnIncomingStreamsReset((ushort[])pending.Payload!); break;
                    case EventKind.OutgoingStreamsReset: _listener.OnOutgoingStreamsReset((ushort[])pending.Payload!); break;
                    case EventKind.BufferedAmountLow: _listener.OnBufferedAmountLow(); break;
                    case EventKind.Closed: _listener.OnClosed((string)pending.Payload!); break;
                }
            }
        }
        finally
        {
            _dispatching = false;
        }
    }

    /// <summary>The association ends: timers stop, OnClosed follows the events already queued.</summary>
    private void Terminate(string reason)
    {
        if (_terminated) return;
        _terminated = true;
        State = SctpState.Closed;
        _t1At = _t2At = _t3At = _delayedAckAt = _heartbeatAt = _reconfigAt = Never;
        _events.Enqueue((EventKind.Closed, reason));
    }

    private uint NextRandom() => _options.RandomUInt32?.Invoke() ?? BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4));

    private uint NewTag()
    {
        uint tag;
        while ((tag = NextRandom()) == 0) { }
        return tag;
    }

    /// <summary>Builds a packet to the peer (with its tag) in the shared buffer.</summary>
    private SctpPacketWriter NewPacket(uint verificationTag) => new(_packetBuffer, _options.LocalPort, _options.RemotePort, verificationTag);

    private void Emit(ref SctpPacketWriter writer)
    {
        if (writer.IsEmpty) return;
        var packet = writer.Finish();
        Counters.PacketsSent++;
        _transmit(packet);
    }

    private enum EventKind { Established, Message, IncomingStreamsReset, OutgoingStreamsReset, BufferedAmountLow, Closed }
}
