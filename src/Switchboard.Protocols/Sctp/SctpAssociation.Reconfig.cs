using System.Buffers.Binary;
using static Switchboard.Protocols.Sctp.SerialNumber;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Stream reset (RFC 6525): our Outgoing SSN Reset Requests, one at a time, sent once the streams' earlier messages
/// have all been given TSNs, retransmitted on timeout and retried after "In progress"; and the peer's requests,
/// performed once our cumulative TSN reaches the sender's last assigned TSN (§5.2.2), answered idempotently.
/// </summary>
public sealed partial class SctpAssociation
{
    /// <summary>Peer requests waiting for their TSN at once, at most.</summary>
    private const int MaxDeferredResets = 16;

    /// <summary>Responses queued for the next packet, at most.</summary>
    private const int MaxPendingResponses = 8;

    private readonly List<ushort> _resetPending = [];
    private readonly List<(uint Sequence, ReconfigurationResult Result)> _pendingResponses = [];
    private readonly List<(uint Sequence, uint LastTsn, ushort[] Streams)> _deferredResets = [];
    private OutgoingReset? _resetInFlight;
    private bool _resendResetRequest;
    private long _reconfigAt = Never;

    /// <summary>Our next request's sequence number, and the one expected of the peer's next (both start at the initial TSNs, §5.1.1).</summary>
    private uint _reconfigRequestSequence, _peerReconfigExpected;

    private ReconfigurationResult? _lastPeerRequestResult;
    private (uint LastTsn, ushort[] Streams)? _lastPerformedReset;

    /// <summary>
    /// Resets these outgoing streams (RFC 6525 Outgoing SSN Reset Request): how a data channel is closed. Messages already
    /// queued on them go first; later ones wait for the reset and are numbered from 0. <see cref="ISctpAssociationListener.OnOutgoingStreamsReset"/>
    /// follows the peer's success. Ignored unless established with a peer that supports RE-CONFIG.
    /// </summary>
    public void ResetStreams(IReadOnlyList<ushort> streamIds, long nowMillis)
    {
        ArgumentNullException.ThrowIfNull(streamIds);
        Enter(nowMillis);
        try
        {
            if (State != SctpState.Established || !_peerSupportsReconfig) return;
            foreach (ushort id in streamIds)
                if (id < _outboundStreams && _sendQueue.RequestReset(id)) _resetPending.Add(id);
            Counters.StreamResetsRequested++;
        }
        finally
        {
            Exit();
        }
    }

    private void HandleReconfig(SctpChunk chunk)
    {
        if (!HasPeer) return;
        int handled = 0;
        foreach (var parameter in new SctpParameterEnumerator(chunk.Value))
        {
            if (handled++ == 2) break; // RFC 6525 §3.1: one or two parameters
            if (OutgoingSsnResetRequest.TryRead(parameter, out var request)) HandleResetRequest(request);
            else if (ReconfigurationResponse.TryRead(parameter, out var response)) HandleReconfigResponse(response);
            else if (parameter.Type is SctpParameterType.IncomingSsnResetRequest or SctpParameterType.SsnTsnResetRequest
                     or SctpParameterType.AddOutgoingStreamsRequest or SctpParameterType.AddIncomingStreamsRequest && parameter.Value.Length >= 4)
            {
                // Requests this engine does not perform: denied (§5.2.3-5.2.6 allow it).
                uint sequence = BinaryPrimitives.ReadUInt32BigEndian(parameter.Value);
                if (sequence == _peerReconfigExpected)
                {
                    _peerReconfigExpected++;
                    _lastPeerRequestResult = ReconfigurationResult.Denied;
                }
                QueueResponse(sequence, sequence == _peerReconfigExpected - 1 ? _lastPeerRequestResult ?? ReconfigurationResult.Denied
                    : ReconfigurationResult.ErrorBadSequenceNumber);
            }
            else Counters.ChunksDropped++;
        }
    }

    /// <summary>The peer resets its outgoing streams, our incoming ones (RFC 6525 §5.2.2).</summary>
    private void HandleResetRequest(OutgoingSsnResetRequest request)
    {
        uint sequence = request.RequestSequenceNumber;
        if (sequence == _peerReconfigExpected - 1 && _lastPeerRequestResult is { } last)
        {
            QueueResponse(sequence, last); // a retransmission: the same answer, updated once a deferred reset was performed
            return;
        }
        if (sequence != _peerReconfigExpected)
        {
            QueueResponse(sequence, ReconfigurationResult.ErrorBadSequenceNumber);
            return;
        }
        _peerReconfigExpected++;
        var streams = RequestedStreams(request);
        uint lastTsn = request.SendersLastAssignedTsn;
        ReconfigurationResult result;
        if (_lastPerformedReset is { } performed && performed.LastTsn == lastTsn && performed.Streams.AsSpan().SequenceEqual(streams))
            result = ReconfigurationResult.SuccessPerformed; // the same request again under a new number: done already
        else if (_deferredResets.Exists(d => d.LastTsn == lastTsn && d.Streams.AsSpan().SequenceEqual(streams)))
            result = ReconfigurationResult.InProgress;
        else if (Le(lastTsn, _received.CumulativeTsn))
        {
            PerformIncomingReset(lastTsn, streams);
            result = ReconfigurationResult.SuccessPerformed;
        }
        else if (_deferredResets.Count < MaxDeferredResets)
        {
            _deferredResets.Add((sequence, lastTsn, streams));
            foreach (ushort id in streams) _reassembly.DeferReset(id, lastTsn);
            result = ReconfigurationResult.InProgress;
        }
        else result = ReconfigurationResult.ErrorRequestAlreadyInProgress;
        _lastPeerRequestResult = result;
        QueueResponse(sequence, result);
    }

    /// <summary>The streams a request names that exist here; all of them when it names none (§4.1).</summary>
    private ushort[] RequestedStreams(OutgoingSsnResetRequest request)
    {
        if (request.StreamCount == 0) return [.. Enumerable.Range(0, _inboundStreams).Select(i => (ushort)i)];
        var streams = new List<ushort>(request.StreamCount);
        for (int i = 0; i < request.StreamCount; i++)
        {
            ushort id = request.Stream(i);
            if (id < _inboundStreams && !streams.Contains(id)) streams.Add(id);
        }
        return [.. streams];
    }

    private void PerformIncomingReset(uint lastTsn, ushort[] streams)
    {
        DeliverMessages(); // what arrived before the reset is delivered before it is reported
        foreach (ushort id in streams) _reassembly.Reset(id, _delivered);
        _lastPerformedReset = (lastTsn, streams);
        _events.Enqueue((EventKind.IncomingStreamsReset, streams));
    }

    /// <summary>Deferred requests whose last assigned TSN our cumulative TSN has reached are performed now.</summary>
    private void ProcessDeferredResets()
    {
        for (int i = 0; i < _deferredResets.Count; i++)
        {
            var (sequence, lastTsn, streams) = _deferredResets[i];
            if (!Le(lastTsn, _received.CumulativeTsn)) continue;
            _deferredResets.RemoveAt(i--);
            PerformIncomingReset(lastTsn, streams);
            if (sequence == _peerReconfigExpected - 1) _lastPeerRequestResult = ReconfigurationResult.SuccessPerformed;
        }
    }

    private void QueueResponse(uint sequence, ReconfigurationResult result)
    {
        if (_pendingResponses.Count < MaxPendingResponses) _pendingResponses.Add((sequence, result));
    }

    private void HandleReconfigResponse(ReconfigurationResponse response)
    {
        if (_resetInFlight is not { } request || response.ResponseSequenceNumber != request.Sequence) return;
        switch (response.Result)
        {
            case ReconfigurationResult.SuccessPerformed or ReconfigurationResult.SuccessNothingToDo:
                EndOutgoingReset(request, succeeded: true);
                _errorCount = 0;
                break;
            case ReconfigurationResult.InProgress:
                // §5.2.7... the peer waits for our data: ask again (under a new number) after an RTO.
                _resetInFlight = request with { RetryAsNew = true };
                _resendResetRequest = false;
                _reconfigAt = _now + _rto.Rto;
                break;
            default:
                EndOutgoingReset(request, succeeded: false);
                break;
        }
    }

    private void EndOutgoingReset(OutgoingReset request, bool succeeded)
    {
        _resetInFlight = null;
        _resendResetRequest = false;
        _reconfigAt = Never;
        foreach (ushort id in request.Streams) _sendQueue.EndReset(id, succeeded);
        if (succeeded) _events.Enqueue((EventKind.OutgoingStreamsReset, request.Streams));
    }

    private void OnReconfigTimer(long nowMillis)
    {
        _reconfigAt = Never;
        if (_resetInFlight is not { } request) return;
        if (request.RetryAsNew) _resetInFlight = request with { Sequence = _reconfigRequestSequence++, RetryAsNew = false };
        else if (!CountError("RE-CONFIG")) return;
        _resendResetRequest = true;
        _reconfigAt = nowMillis + _rto.Rto;
    }

    private void WriteReconfigResponses(ref SctpPacketWriter writer)
    {
        foreach (var (sequence, result) in _pendingResponses)
        {
            EnsureRoom(ref writer, ReconfigurationResponse.Size);
            ReconfigurationResponse.Write(writer.AddChunk(SctpChunkType.ReConfig, 0, ReconfigurationResponse.Size), sequence, result);
        }
        _pendingResponses.Clear();
    }

    /// <summary>
    /// Sends our request when none is outstanding and the pending streams' earlier messages have all been cut into
    /// chunks (their TSNs are then at most the Sender's Last Assigned TSN), or sends the outstanding one again.
    /// </summary>
    private void WriteResetRequest(ref SctpPacketWriter writer, long nowMillis)
    {
        if (_resetInFlight is null && _resetPending.Count > 0 && State == SctpState.Established)
        {
            int capacity = (_options.Mtu - SctpPacket.HeaderLength - SctpChunk.HeaderLength - SctpParameter.HeaderLength - OutgoingSsnResetRequest.FixedLength) / 2;
            var ready = new List<ushort>();
            foreach (ushort id in _resetPending)
                if (ready.Count < capacity && _sendQueue.Stream(id).IsBlocked && _chunking?.StreamId != id) ready.Add(id);
            if (ready.Count == 0) return;
            _resetPending.RemoveAll(ready.Contains);
            _resetInFlight = new OutgoingReset(_reconfigRequestSequence++, _nextTsn - 1, [.. ready], RetryAsNew: false);
            _reconfigAt = nowMillis + _rto.Rto;
        }
        else if (!_resendResetRequest || _resetInFlight is null) return;
        _resendResetRequest = false;
        var pending = _resetInFlight!;
        int size = OutgoingSsnResetRequest.Size(pending.Streams.Length);
        EnsureRoom(ref writer, size);
        OutgoingSsnResetRequest.Write(writer.AddChunk(SctpChunkType.ReConfig, 0, size), pending.Sequence, _peerReconfigExpected - 1, pending.LastTsn,
            pending.Streams);
    }

    private sealed record OutgoingReset(uint Sequence, uint LastTsn, ushort[] Streams, bool RetryAsNew);
}
