using static Switchboard.Protocols.Sctp.SerialNumber;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The data receiver: TSN tracking and SACKs (RFC 9260 §6.2: delayed, at once on a gap or a duplicate), the receive
/// window as the bound on what is buffered, reassembly and delivery, and FORWARD-TSN (RFC 3758 §3.6).
/// </summary>
public sealed partial class SctpAssociation
{
    /// <summary>Gap ack blocks and duplicate TSNs one SACK reports at most, whatever the MTU.</summary>
    private const int MaxSackEntries = 512;

    private readonly ReceivedTsns _received;
    private readonly ReassemblyQueue _reassembly;
    private readonly List<SctpMessage> _delivered = [];
    private long _delayedAckAt = Never;
    private int _dataPacketsSinceSack;
    private bool _sackNow, _sackPending, _dataInPacket, _hadGapsBeforePacket;

    private void HandleData(SctpChunk chunk)
    {
        if (!DataChunk.TryRead(chunk, out var data))
        {
            Counters.ChunksDropped++;
            return;
        }
        if (!HasPeer) return;
        _dataInPacket = true;
        Counters.DataChunksReceived++;
        uint tsn = data.Tsn;
        if (data.UserData.IsEmpty)
        {
            Span<byte> tsnBytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(tsnBytes, tsn);
            Span<byte> cause = stackalloc byte[SctpParameter.SizeOf(4)];
            SctpErrorCause.Write(cause, SctpErrorCauseCode.NoUserData, tsnBytes);
            SendSingleChunk(SctpChunkType.Abort, 0, cause, _peerTag);
            Terminate("The peer sent a DATA chunk without user data (RFC 9260 §6.2).");
            return;
        }
        if (_received.Contains(tsn))
        {
            Counters.DuplicateTsnsReceived++;
            _received.RecordDuplicate(tsn);
            _sackNow = true;
            return;
        }
        // Beyond the window only the next TSN in sequence is kept (a retransmission the buffered data waits for), up to twice the window.
        long limit = tsn == _received.CumulativeTsn + 1 ? 2L * _options.ReceiveWindow : _options.ReceiveWindow;
        if (!_received.CanTrack(tsn) || _reassembly.BufferedBytes + data.UserData.Length > limit)
        {
            Counters.DataChunksDropped++;
            return;
        }
        _received.Add(tsn);
        if (data.StreamId >= _inboundStreams)
        {
            // §6.5: acknowledged, discarded, and reported with an Invalid Stream Identifier cause (§3.3.10.1).
            Counters.DataChunksDropped++;
            Span<byte> streamId = [(byte)(data.StreamId >> 8), (byte)data.StreamId, 0, 0];
            QueueErrorCause(SctpErrorCauseCode.InvalidStreamIdentifier, streamId);
            return;
        }
        _reassembly.Add(new ReceivedFragment(tsn, data.StreamId, data.StreamSequenceNumber, data.PayloadProtocolId, data.Beginning, data.End,
            data.Unordered, data.UserData.ToArray()), _delivered);
    }

    private void HandleForwardTsn(SctpChunk chunk)
    {
        if (!ForwardTsnChunk.TryRead(chunk, out var forward))
        {
            Counters.ChunksDropped++;
            return;
        }
        if (!HasPeer) return;
        Counters.ForwardTsnsReceived++;
        _sackNow = true;
        uint newCumulative = forward.NewCumulativeTsn;
        if (Le(newCumulative, _received.CumulativeTsn)) return;
        if (newCumulative - _received.CumulativeTsn > ReceivedTsns.MaxTsnDistance)
        {
            Counters.ChunksDropped++;
            return;
        }
        _received.ForwardTo(newCumulative);
        _reassembly.Skip(newCumulative, forward, _inboundStreams, _delivered);
    }

    /// <summary>
    /// After a packet's chunks: the SACK is due at once after every second DATA packet, on a gap (or one just filled),
    /// a duplicate or a FORWARD-TSN; otherwise after DelayedAckMillis (§6.2). Then deferred stream resets whose TSN has
    /// been reached are performed, and whole messages delivered.
    /// </summary>
    private void AfterPacket(long nowMillis)
    {
        if (_dataInPacket)
        {
            _sackPending = true;
            if (++_dataPacketsSinceSack >= 2 || _received.HasGaps || _hadGapsBeforePacket || State != SctpState.Established) _sackNow = true;
            else if (_delayedAckAt == Never) _delayedAckAt = nowMillis + _options.DelayedAckMillis;
            if (State == SctpState.ShutdownSent) _sendShutdown = true; // §9.2: DATA in SHUTDOWN-SENT is answered with SHUTDOWN too
        }
        ProcessDeferredResets();
        DeliverMessages();
    }

    private void DeliverMessages()
    {
        Counters.OversizedMessagesDropped = _reassembly.OversizedDropped;
        foreach (var message in _delivered)
        {
            Counters.MessagesReceived++;
            _events.Enqueue((EventKind.Message, message));
        }
        _delivered.Clear();
    }

    private void WriteSack(ref SctpPacketWriter writer)
    {
        int capacity = Math.Min(MaxSackEntries, (_options.Mtu - SctpPacket.HeaderLength - SctpChunk.HeaderLength - SackChunk.FixedLength) / 4);
        Span<ushort> blocks = stackalloc ushort[2 * capacity];
        int blockCount = _received.WriteGapBlocks(blocks) / 2;
        int duplicateCount = Math.Min(_received.Duplicates.Count, capacity - blockCount);
        Span<uint> duplicates = stackalloc uint[duplicateCount];
        for (int i = 0; i < duplicateCount; i++) duplicates[i] = _received.Duplicates[i];
        EnsureRoom(ref writer, SackChunk.ValueLength(blockCount, duplicateCount));
        uint window = (uint)Math.Max(0, _options.ReceiveWindow - _reassembly.BufferedBytes);
        SackChunk.Write(ref writer, _received.CumulativeTsn, window, blocks[..(2 * blockCount)], duplicates);
        Counters.SacksSent++;
        _received.ClearDuplicates();
        _sackNow = _sackPending = false;
        _delayedAckAt = Never;
        _dataPacketsSinceSack = 0;
    }
}
