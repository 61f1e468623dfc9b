using static Switchboard.Protocols.Sctp.SerialNumber;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The data sender: the send queue, fragmentation to the MTU, SACK processing with gap blocks and reneging
/// (RFC 9260 §6.2.1), the T3-rtx timer and RTO (§6.3), fast retransmit and recovery (§7.2.4), congestion control
/// (§7.2.1-7.2.3), the peer's window with zero-window probes (§6.1), Max.Burst, and abandonment with FORWARD-TSN
/// (RFC 3758 §3.5).
/// </summary>
public sealed partial class SctpAssociation
{
    private readonly SctpSendQueue _sendQueue = new();

    /// <summary>Chunks with a TSN above the peer's cumulative TSN ack, in TSN order with none missing: _outstanding[i].Tsn == _cumAck + 1 + i.</summary>
    private readonly OutstandingChunks _outstanding = new();

    /// <summary>Outstanding chunks acknowledged by gap blocks (<see cref="OutstandingChunk.Acked"/>).</summary>
    private int _gapAcked;

    private readonly Dictionary<ushort, ushort> _forwardStreams = [];

    /// <summary>The message being cut into chunks: its fragments must have consecutive TSNs (§6.9).</summary>
    private OutgoingMessage? _chunking;

    private uint _nextTsn, _cumAck, _advancedPeerAckPoint, _fastRecoveryExit, _rttTsn, _lastPeerArwnd, _peerRwnd;
    private int _flightSize, _cwnd, _ssthresh, _partialBytesAcked, _markedCount, _sackEpoch;
    private long _bufferedBytes, _rttSentAt, _t3At = Never;
    private bool _inFastRecovery, _fastRetransmitPending, _measuringRtt, _forwardTsnPending, _bufferedAboveThreshold, _sackSinceT3;

    /// <summary>RFC 9260 §7.2.1: min(4 MTU, max(2 MTU, 4380 bytes)).</summary>
    private int InitialCongestionWindow => Math.Min(4 * _options.Mtu, Math.Max(2 * _options.Mtu, 4380));

    private int MaxFragment => _options.Mtu - DataOverhead;

    /// <summary>
    /// Queues a message on a stream; it goes out when the congestion and receive windows allow. Returns why not when it
    /// cannot be queued.
    /// </summary>
    public SctpSendResult Send(ushort streamId, uint payloadProtocolId, ReadOnlySpan<byte> data, SctpSendOptions options, long nowMillis)
    {
        Enter(nowMillis);
        try
        {
            if (_terminated || State > SctpState.Established) return SctpSendResult.Closed;
            if (State == SctpState.Closed) return SctpSendResult.NotEstablished;
            if (data.IsEmpty) return SctpSendResult.EmptyMessage;
            if (data.Length > _options.RemoteMaxMessageSize) return SctpSendResult.MessageTooLarge;
            if (streamId >= (HasPeer ? _outboundStreams : _options.OutboundStreams)) return SctpSendResult.InvalidStream;
            if (_bufferedBytes + data.Length > _options.MaxSendQueueBytes) return SctpSendResult.QueueFull;
            long expiresAt = options.LifetimeMillis is int lifetime ? nowMillis + Math.Max(0, lifetime) : Never;
            _sendQueue.Enqueue(new OutgoingMessage(streamId, payloadProtocolId, data.ToArray(), options, expiresAt));
            _bufferedBytes += data.Length;
            if (_bufferedBytes > _options.BufferedAmountLowThreshold) _bufferedAboveThreshold = true;
            Counters.MessagesSent++;
            return SctpSendResult.Queued;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Holds packets back while several messages are queued (each <see cref="Send"/> would otherwise send at once), so
    /// that small ones share packets; what is due goes out when the batch is disposed.
    /// </summary>
    public SendBatch BeginBatch(long nowMillis)
    {
        Enter(nowMillis);
        return new SendBatch(this);
    }

    /// <summary>The scope of <see cref="BeginBatch"/>; dispose it once.</summary>
    public readonly struct SendBatch(SctpAssociation association) : IDisposable
    {
        public void Dispose() => association.Exit();
    }

    /// <summary>Sends what is due: control chunks first, then retransmissions and new DATA as the windows allow.</summary>
    private void Flush(long nowMillis)
    {
        var writer = NewPacket(_peerTag);
        if (_sendCookieAck)
        {
            writer.AddChunk(SctpChunkType.CookieAck, 0, 0);
            _sendCookieAck = false;
        }
        bool dataAllowed = State is SctpState.Established or SctpState.ShutdownPending or SctpState.ShutdownReceived;
        bool dataDue = dataAllowed && (_markedCount > 0 || (_flightSize < _cwnd && (_chunking is not null || _sendQueue.HasReady)));
        if (_sackNow || (_sackPending && (dataDue || _sendShutdown))) WriteSack(ref writer);
        if (_sendShutdown)
        {
            EnsureRoom(ref writer, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(writer.AddChunk(SctpChunkType.Shutdown, 0, 4), _received.CumulativeTsn);
            _sendShutdown = false;
        }
        if (_sendShutdownAck)
        {
            EnsureRoom(ref writer, 0);
            writer.AddChunk(SctpChunkType.ShutdownAck, 0, 0);
            _sendShutdownAck = false;
        }
        if (_sendHeartbeat)
        {
            EnsureRoom(ref writer, HeartbeatInfo.ValueLength);
            HeartbeatInfo.Write(writer.AddChunk(SctpChunkType.Heartbeat, 0, HeartbeatInfo.ValueLength), _heartbeatSentAt, _heartbeatNonce);
            Counters.HeartbeatsSent++;
            _sendHeartbeat = false;
        }
        if (_forwardTsnPending) WriteForwardTsn(ref writer, nowMillis);
        WriteReconfigResponses(ref writer);
        if (_pendingErrorCauses.Count > 0) WriteErrorCauses(ref writer);
        if (dataAllowed) SendData(ref writer, nowMillis);
        WriteResetRequest(ref writer, nowMillis);
        Emit(ref writer);
        CheckBufferedAmountLow();
    }

    /// <summary>Sends the packet being built when a chunk with a value of this length does not fit, and starts another.</summary>
    private void EnsureRoom(ref SctpPacketWriter writer, int valueLength)
    {
        if (writer.Fits(valueLength)) return;
        Emit(ref writer);
        writer = NewPacket(_peerTag);
    }

    private void SendData(ref SctpPacketWriter writer, long nowMillis)
    {
        int burst = 0;
        bool packetHasData = false;

        // §7.2.4: the fast retransmission goes in one packet at once, whatever cwnd says.
        if (_fastRetransmitPending)
        {
            _fastRetransmitPending = false;
            if (!writer.IsEmpty && !writer.Fits(DataChunk.HeaderLength - SctpChunk.HeaderLength + MaxFragment))
            {
                Emit(ref writer);
                writer = NewPacket(_peerTag);
            }
            foreach (var chunk in _outstanding)
            {
                if (!chunk.MarkedForRetransmit) continue;
                if (!writer.Fits(DataChunk.HeaderLength - SctpChunk.HeaderLength + chunk.Length)) break;
                Retransmit(ref writer, chunk, nowMillis);
                packetHasData = true;
            }
        }

        // Retransmissions (T3-rtx, or more marked than one packet held), within cwnd.
        for (int i = 0; i < _outstanding.Count && _markedCount > 0; i++)
        {
            var chunk = _outstanding[i];
            if (!chunk.MarkedForRetransmit) continue;
            if (ShouldAbandon(chunk, nowMillis))
            {
                Abandon(chunk.Message);
                continue;
            }
            if (_flightSize >= _cwnd) return;
            if (!writer.Fits(DataChunk.HeaderLength - SctpChunk.HeaderLength + chunk.Length))
            {
                if (packetHasData && ++burst >= _options.MaxBurst) return;
                Emit(ref writer);
                writer = NewPacket(_peerTag);
            }
            Retransmit(ref writer, chunk, nowMillis);
            packetHasData = true;
        }

        // New data: fragments fill the packet's room (at least 256 bytes of it, unless the message's rest is smaller).
        while (_flightSize < _cwnd)
        {
            var message = _chunking ?? NextMessage(nowMillis);
            if (message is null) return;
            if (message.ExpiresAtMillis <= nowMillis && CanAbandon(message))
            {
                Abandon(message);
                continue;
            }
            int remaining = message.Data.Length - message.NextOffset;
            int fragment = Math.Min(remaining, MaxFragment);
            int room = (writer.Remaining - DataChunk.HeaderLength) & ~3;
            if (room < fragment && room < Math.Min(remaining, 256))
            {
                if (packetHasData && ++burst >= _options.MaxBurst)
                {
                    _chunking = message;
                    return;
                }
                Emit(ref writer);
                writer = NewPacket(_peerTag);
                room = (writer.Remaining - DataChunk.HeaderLength) & ~3;
            }
            fragment = Math.Min(fragment, room);
            if (_flightSize > 0 && fragment > _peerRwnd)
            {
                _chunking = message;
                return; // §6.1 rule A: only a zero-window probe may go when the peer's window is too small
            }
            SendNewChunk(ref writer, message, fragment, nowMillis);
            packetHasData = true;
        }
    }

    private OutgoingMessage? NextMessage(long nowMillis)
    {
        while (_sendQueue.Next() is { } message)
        {
            if (message.StreamId >= _outboundStreams || message.ExpiresAtMillis <= nowMillis)
            {
                // Never sent (its stream was not negotiated, or its lifetime ended in the queue): dropped without a trace on the wire.
                message.Abandoned = true;
                _bufferedBytes -= message.Data.Length;
                if (message.StreamId < _outboundStreams) Counters.MessagesAbandoned++;
                continue;
            }
            return message;
        }
        return null;
    }

    private void SendNewChunk(ref SctpPacketWriter writer, OutgoingMessage message, int length, long nowMillis)
    {
        uint tsn = _nextTsn++;
        if (message.NextOffset == 0)
        {
            message.FirstTsn = tsn;
            message.Ssn = message.Unordered ? (ushort)0 : _sendQueue.Stream(message.StreamId).NextSsn++;
        }
        var chunk = new OutstandingChunk(tsn, message, message.NextOffset, length) { Transmissions = 1, InFlight = true };
        message.ChunkCount++;
        message.NextOffset += length;
        _chunking = message.NextOffset < message.Data.Length ? message : null;
        _outstanding.Add(chunk);
        DataChunk.Write(ref writer, tsn, message.StreamId, message.Ssn, message.PayloadProtocolId, chunk.UserData, message.Unordered, chunk.Beginning, chunk.End);
        Counters.DataChunksSent++;
        OnDataSent(chunk, nowMillis);
        if (!_measuringRtt)
        {
            _measuringRtt = true;
            _rttTsn = tsn;
            _rttSentAt = nowMillis;
        }
    }

    private void Retransmit(ref SctpPacketWriter writer, OutstandingChunk chunk, long nowMillis)
    {
        var message = chunk.Message;
        DataChunk.Write(ref writer, chunk.Tsn, message.StreamId, message.Ssn, message.PayloadProtocolId, chunk.UserData, message.Unordered,
            chunk.Beginning, chunk.End);
        chunk.MarkedForRetransmit = false;
        _markedCount--;
        chunk.Transmissions++;
        Counters.Retransmissions++;
        OnDataSent(chunk, nowMillis);
    }

    private void OnDataSent(OutstandingChunk chunk, long nowMillis)
    {
        chunk.InFlight = true;
        _flightSize += chunk.Length;
        _peerRwnd = _peerRwnd > (uint)chunk.Length ? _peerRwnd - (uint)chunk.Length : 0;
        if (_t3At == Never) _t3At = nowMillis + _rto.Rto;
        PostponeHeartbeat(nowMillis);
    }

    /// <summary>A SACK (RFC 9260 §6.2.1, §7.2.4): acknowledgments, reneging, miss indications, cwnd, the peer's window, T3-rtx.</summary>
    private void HandleSack(SctpChunk chunk, long nowMillis)
    {
        if (!SackChunk.TryRead(chunk, out var sack))
        {
            Counters.ChunksDropped++;
            return;
        }
        if (!HasPeer) return;
        Counters.SacksReceived++;
        uint cumulative = sack.CumulativeTsnAck;
        if (Lt(cumulative, _cumAck) || Ge(cumulative, _nextTsn)) return; // older than one already processed, or acking what was never sent
        _sackSinceT3 = true;
        int flightBefore = _flightSize;
        bool cumulativeAdvanced = Gt(cumulative, _cumAck);
        long bytesAcked = RemoveAcknowledged(cumulative, nowMillis);

        // Gap ack blocks: processed while they ascend without overlap and within what is outstanding, so the work is
        // bounded by the chunks outstanding whatever the SACK claims.
        _sackEpoch++;
        uint highestNewlyAcked = cumulative;
        bool newlyGapAcked = false;
        int previousEnd = 0;
        for (int b = 0; b < sack.GapBlockCount; b++)
        {
            var (start, end) = sack.GapBlock(b);
            if (start == 0 || start > end || start <= previousEnd || start > _outstanding.Count) break;
            previousEnd = end;
            for (int offset = start; offset <= end && offset <= _outstanding.Count; offset++)
            {
                var acked = _outstanding[offset - 1];
                acked.AckedBySack = _sackEpoch;
                if (acked.Acked || acked.Abandoned) continue;
                SetAcked(acked, true);
                bytesAcked += acked.Length;
                TakeOutOfFlight(acked);
                SampleRtt(acked, nowMillis);
                highestNewlyAcked = acked.Tsn;
                newlyGapAcked = true;
            }
        }

        // Reneging: a chunk acknowledged by an earlier SACK's gap blocks and not by this one is outstanding again (§6.2.1 D).
        // Only chunks acknowledged by gap blocks can be reneged: without any, the walk over what is outstanding is skipped.
        bool reneged = false;
        for (int i = 0; i < _outstanding.Count && _gapAcked > 0; i++)
        {
            var outstanding = _outstanding[i];
            if (!outstanding.Acked || outstanding.AckedBySack == _sackEpoch) continue;
            SetAcked(outstanding, false);
            reneged = true;
        }

        if (_inFastRecovery && Ge(cumulative, _fastRecoveryExit)) _inFastRecovery = false;
        if (newlyGapAcked) CountMissIndications(highestNewlyAcked, nowMillis);

        // §7.2.1, §7.2.2: slow start or congestion avoidance, when the SACK advanced the cumulative ack and cwnd was in use.
        if (cumulativeAdvanced && bytesAcked > 0 && !_inFastRecovery)
        {
            if (_cwnd <= _ssthresh)
            {
                if (flightBefore >= _cwnd) _cwnd += (int)Math.Min(bytesAcked, _options.Mtu);
            }
            else
            {
                _partialBytesAcked += (int)Math.Min(bytesAcked, int.MaxValue - _partialBytesAcked);
                if (_partialBytesAcked >= _cwnd && flightBefore >= _cwnd)
                {
                    _partialBytesAcked -= _cwnd;
                    _cwnd += _options.Mtu;
                }
            }
        }
        if (_outstanding.Count == 0) _partialBytesAcked = 0;

        _lastPeerArwnd = sack.AdvertisedReceiveWindow;
        _peerRwnd = (uint)Math.Max(0, (long)sack.AdvertisedReceiveWindow - _flightSize);
        if (cumulativeAdvanced || bytesAcked > 0) _errorCount = 0;
        if (_peerSupportsForwardTsn)
        {
            AdvanceAckPoint();
            if (Gt(_advancedPeerAckPoint, _cumAck)) _forwardTsnPending = true;
        }
        UpdateT3(nowMillis, cumulativeAdvanced, reneged);
        CheckShutdownProgress(nowMillis);
    }

    private void SetAcked(OutstandingChunk chunk, bool acked)
    {
        if (chunk.Acked == acked) return;
        chunk.Acked = acked;
        _gapAcked += acked ? 1 : -1;
    }

    /// <summary>The cumulative TSN ack of a SACK or SHUTDOWN: what it covers leaves the outstanding list. Returns the bytes newly acknowledged.</summary>
    private long RemoveAcknowledged(uint cumulative, long nowMillis)
    {
        if (!Gt(cumulative, _cumAck) || Ge(cumulative, _nextTsn)) return 0;
        int count = (int)(cumulative - _cumAck);
        long acked = 0;
        for (int i = 0; i < count; i++)
        {
            var chunk = _outstanding[i];
            if (!chunk.Abandoned)
            {
                if (!chunk.Acked)
                {
                    acked += chunk.Length;
                    SampleRtt(chunk, nowMillis);
                }
                _bufferedBytes -= chunk.Length;
            }
            if (chunk.Acked) SetAcked(chunk, false);
            TakeOutOfFlight(chunk);
        }
        _outstanding.RemoveFirst(count);
        _cumAck = cumulative;
        if (_measuringRtt && Le(_rttTsn, cumulative)) _measuringRtt = false;
        if (Lt(_advancedPeerAckPoint, cumulative)) _advancedPeerAckPoint = cumulative;
        return acked;
    }

    /// <summary>SHUTDOWN's cumulative TSN ack (RFC 9260 §9.2), handled as a SACK's without gap blocks.</summary>
    private void AcknowledgeCumulative(uint cumulative, long nowMillis)
    {
        if (Lt(cumulative, _cumAck) || Ge(cumulative, _nextTsn)) return;
        bool advanced = Gt(cumulative, _cumAck);
        RemoveAcknowledged(cumulative, nowMillis);
        UpdateT3(nowMillis, advanced, reneged: false);
    }

    private void TakeOutOfFlight(OutstandingChunk chunk)
    {
        if (chunk.InFlight)
        {
            chunk.InFlight = false;
            _flightSize -= chunk.Length;
        }
        if (chunk.MarkedForRetransmit)
        {
            chunk.MarkedForRetransmit = false;
            _markedCount--;
        }
    }

    /// <summary>Karn's rule (§6.3.1 C3): only a chunk sent once gives an RTT measurement, one per round trip.</summary>
    private void SampleRtt(OutstandingChunk chunk, long nowMillis)
    {
        if (!_measuringRtt || chunk.Tsn != _rttTsn) return;
        _measuringRtt = false;
        if (chunk.Transmissions == 1) _rto.AddMeasurement(nowMillis - _rttSentAt);
    }

    /// <summary>
    /// §7.2.4 with HTNA: each chunk still in flight below the highest TSN newly acknowledged gets a miss indication; at
    /// three it is retransmitted at once (once only), and outside fast recovery ssthresh = max(cwnd/2, 4 MTU), cwnd = ssthresh.
    /// </summary>
    private void CountMissIndications(uint highestNewlyAcked, long nowMillis)
    {
        bool marked = false;
        for (int i = 0; i < _outstanding.Count && Lt(_outstanding[i].Tsn, highestNewlyAcked); i++)
        {
            var chunk = _outstanding[i];
            if (chunk.Acked || chunk.Abandoned || !chunk.InFlight) continue;
            if (++chunk.MissIndications < 3 || chunk.FastRetransmitted) continue;
            chunk.FastRetransmitted = true;
            if (ShouldAbandon(chunk, nowMillis))
            {
                Abandon(chunk.Message);
                continue;
            }
            MarkForRetransmit(chunk);
            marked = true;
        }
        if (!marked) return;
        Counters.FastRetransmits++;
        _fastRetransmitPending = true;
        if (_inFastRecovery) return;
        _ssthresh = Math.Max(_cwnd / 2, 4 * _options.Mtu);
        _cwnd = _ssthresh;
        _partialBytesAcked = 0;
        _inFastRecovery = true;
        _fastRecoveryExit = _nextTsn - 1;
    }

    private void MarkForRetransmit(OutstandingChunk chunk)
    {
        if (chunk.MarkedForRetransmit) return;
        if (chunk.InFlight)
        {
            chunk.InFlight = false;
            _flightSize -= chunk.Length;
        }
        chunk.MarkedForRetransmit = true;
        _markedCount++;
        if (_measuringRtt && chunk.Tsn == _rttTsn) _measuringRtt = false;
    }

    /// <summary>
    /// T3-rtx (§6.3.2, §6.3.3): stopped when nothing is outstanding (nor a FORWARD-TSN awaited), restarted when the
    /// cumulative ack moved, started when a chunk was reneged.
    /// </summary>
    private void UpdateT3(long nowMillis, bool cumulativeAdvanced, bool reneged)
    {
        if (!HasUnacknowledgedData() && !Gt(_advancedPeerAckPoint, _cumAck)) _t3At = Never;
        else if (cumulativeAdvanced || (reneged && _t3At == Never)) _t3At = nowMillis + _rto.Rto;
    }

    private bool HasUnacknowledgedData()
    {
        foreach (var chunk in _outstanding)
            if (!chunk.Acked && !chunk.Abandoned) return true;
        return false;
    }

    /// <summary>
    /// §6.3.3: RTO doubles, ssthresh = max(cwnd/2, 4 MTU), cwnd = 1 MTU, every unacknowledged chunk is marked for
    /// retransmission (or abandoned under partial reliability). Unanswered zero-window probes do not count as errors
    /// while the peer keeps sending SACKs (§6.1).
    /// </summary>
    private void OnT3Expired(long nowMillis)
    {
        _t3At = Never;
        if (!HasPeer || (!HasUnacknowledgedData() && !Gt(_advancedPeerAckPoint, _cumAck))) return;
        Counters.T3Expirations++;
        bool probing = _lastPeerArwnd == 0 && _sackSinceT3;
        if (!probing && !CountError("T3-rtx")) return;
        _sackSinceT3 = false;
        _rto.BackOff();
        _ssthresh = Math.Max(_cwnd / 2, 4 * _options.Mtu);
        _cwnd = _options.Mtu;
        _partialBytesAcked = 0;
        _inFastRecovery = false;
        _measuringRtt = false;
        foreach (var chunk in _outstanding)
        {
            if (chunk.Acked || chunk.Abandoned) continue;
            if (ShouldAbandon(chunk, nowMillis)) Abandon(chunk.Message);
            else MarkForRetransmit(chunk);
        }
        if (_peerSupportsForwardTsn)
        {
            AdvanceAckPoint();
            _forwardTsnPending = Gt(_advancedPeerAckPoint, _cumAck);
        }
        _t3At = nowMillis + _rto.Rto;
    }

    private bool CanAbandon(OutgoingMessage message) => message.IsPartiallyReliable && (_peerSupportsForwardTsn || message.ChunkCount == 0);

    /// <summary>RFC 3758 §3.5 A1-A3: the lifetime is over, or the chunk was sent MaxRetransmits + 1 times already.</summary>
    private bool ShouldAbandon(OutstandingChunk chunk, long nowMillis) =>
        CanAbandon(chunk.Message) && (chunk.Message.ExpiresAtMillis <= nowMillis || (chunk.Message.MaxRetransmits is int max && chunk.Transmissions > max));

    /// <summary>Gives a message up, every chunk of it and what was never cut (RFC 3758 §3.5); a FORWARD-TSN tells the peer.</summary>
    private void Abandon(OutgoingMessage message)
    {
        if (message.Abandoned) return;
        message.Abandoned = true;
        Counters.MessagesAbandoned++;
        for (int k = 0; k < message.ChunkCount; k++)
        {
            uint tsn = message.FirstTsn + (uint)k;
            if (Le(tsn, _cumAck)) continue;
            var chunk = _outstanding[(int)(tsn - _cumAck - 1)];
            if (chunk.Abandoned) continue;
            chunk.Abandoned = true;
            if (chunk.Acked) SetAcked(chunk, false);
            _bufferedBytes -= chunk.Length;
            TakeOutOfFlight(chunk);
        }
        _bufferedBytes -= message.Data.Length - message.NextOffset;
        message.NextOffset = message.Data.Length;
        if (_chunking == message) _chunking = null;
        if (AdvanceAckPoint()) _forwardTsnPending = true;
    }

    /// <summary>RFC 3758 §3.5 C1-C2: the Advanced.Peer.Ack.Point moves over abandoned chunks after the cumulative ack.</summary>
    private bool AdvanceAckPoint()
    {
        if (Lt(_advancedPeerAckPoint, _cumAck)) _advancedPeerAckPoint = _cumAck;
        bool advanced = false;
        for (int index = (int)(_advancedPeerAckPoint - _cumAck); index < _outstanding.Count && _outstanding[index].Abandoned; index++)
        {
            _advancedPeerAckPoint++;
            advanced = true;
        }
        return advanced;
    }

    /// <summary>
    /// FORWARD-TSN to the Advanced.Peer.Ack.Point with the last skipped SSN of each ordered stream (RFC 3758 §3.5 C3-C5).
    /// When more streams are skipped than one chunk can name, it stops short at the last TSN it can cover.
    /// </summary>
    private void WriteForwardTsn(ref SctpPacketWriter writer, long nowMillis)
    {
        _forwardTsnPending = false;
        if (!_peerSupportsForwardTsn || !Gt(_advancedPeerAckPoint, _cumAck)) return;
        int capacity = (_options.Mtu - SctpPacket.HeaderLength - SctpChunk.HeaderLength - 4) / 4;
        _forwardStreams.Clear();
        uint newCumulative = _cumAck;
        for (int index = 0; index < (int)(_advancedPeerAckPoint - _cumAck); index++)
        {
            var message = _outstanding[index].Message;
            if (!message.Unordered && !_forwardStreams.ContainsKey(message.StreamId) && _forwardStreams.Count == capacity) break;
            if (!message.Unordered) _forwardStreams[message.StreamId] = message.Ssn;
            newCumulative = _outstanding[index].Tsn;
        }
        Span<(ushort StreamId, ushort Ssn)> streams = stackalloc (ushort, ushort)[_forwardStreams.Count];
        int i = 0;
        foreach (var (streamId, ssn) in _forwardStreams) streams[i++] = (streamId, ssn);
        EnsureRoom(ref writer, ForwardTsnChunk.ValueLength(streams.Length));
        ForwardTsnChunk.Write(ref writer, newCumulative, streams);
        Counters.ForwardTsnsSent++;
        if (_t3At == Never) _t3At = nowMillis + _rto.Rto;
    }

    private void CheckBufferedAmountLow()
    {
        if (!_bufferedAboveThreshold || _bufferedBytes > _options.BufferedAmountLowThreshold) return;
        _bufferedAboveThreshold = false;
        if (!_terminated) _events.Enqueue((EventKind.BufferedAmountLow, null));
    }

    private void WriteErrorCauses(ref SctpPacketWriter writer)
    {
        int length = 0;
        foreach (var cause in _pendingErrorCauses) length += cause.Length;
        if (length <= _options.Mtu - SctpPacket.HeaderLength - SctpChunk.HeaderLength)
        {
            EnsureRoom(ref writer, length);
            var value = writer.AddChunk(SctpChunkType.Error, 0, length);
            foreach (var cause in _pendingErrorCauses)
            {
                cause.CopyTo(value);
                value = value[cause.Length..];
            }
        }
        _pendingErrorCauses.Clear();
    }
}
