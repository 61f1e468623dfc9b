using static Switchboard.Protocols.Sctp.SerialNumber;

namespace Switchboard.Protocols.Sctp;

/// <summary>One received DATA chunk's fields and a copy of its user data.</summary>
internal sealed record ReceivedFragment(uint Tsn, ushort StreamId, ushort Ssn, uint PayloadProtocolId, bool Beginning, bool End, bool Unordered, byte[] Data);

/// <summary>
/// Turns received DATA chunks into whole messages (RFC 9260 §6.5, §6.6, §6.9). Fragments of one message have
/// consecutive TSNs from the one with the B bit to the one with the E bit. Ordered messages wait per stream for their
/// stream sequence number; unordered ones are delivered as soon as they are whole. A message that grows past the
/// maximum size is dropped: its data is freed at once, later fragments are counted but not kept, and (ordered) its
/// sequence number is skipped once all of it has arrived. Also skips what a FORWARD-TSN abandons (RFC 3758 §3.6) and
/// resets incoming streams (RFC 6525 §5.2.2), holding a stream's newer ordered data while a reset waits for its TSN.
/// <see cref="BufferedBytes"/> counts every byte kept.
/// </summary>
internal sealed class ReassemblyQueue(int maxMessageSize, int maxPartialMessages)
{
    private const int MaxDroppingRuns = 64;

    private readonly Dictionary<ushort, InboundStream> _streams = [];
    private readonly Dictionary<uint, ReceivedFragment> _unordered = [];

    /// <summary>Last TSNs of oversized unordered messages being dropped whose E fragment has not arrived.</summary>
    private readonly HashSet<uint> _droppingAfter = [];

    private int _partialMessages;

    public long BufferedBytes { get; private set; }
    public long OversizedDropped { get; private set; }

    public void Add(ReceivedFragment fragment, List<SctpMessage> delivered)
    {
        if (fragment.Unordered) AddUnordered(fragment, delivered);
        else
        {
            var stream = Stream(fragment.StreamId);
            if (stream.ResetAfterTsn is uint last && Gt(fragment.Tsn, last))
            {
                stream.Held.Add(fragment);
                BufferedBytes += fragment.Data.Length;
            }
            else AddOrdered(stream, fragment, delivered);
        }
    }

    /// <summary>FORWARD-TSN: drops unordered fragments up to the new cumulative TSN and the skipped ordered messages.</summary>
    public void Skip(uint newCumulativeTsn, ForwardTsnChunk forward, ushort inboundStreams, List<SctpMessage> delivered)
    {
        if (_unordered.Count > 0)
        {
            foreach (uint tsn in _unordered.Keys.Where(t => Le(t, newCumulativeTsn)).ToList())
            {
                BufferedBytes -= _unordered[tsn].Data.Length;
                _unordered.Remove(tsn);
            }
        }
        _droppingAfter.RemoveWhere(t => Le(t, newCumulativeTsn));
        for (int i = 0; i < forward.StreamCount; i++)
        {
            var (streamId, ssn) = forward.Stream(i);
            if (streamId >= inboundStreams) continue;
            var stream = Stream(streamId);
            if (stream.Partials.Count > 0)
                foreach (ushort skipped in stream.Partials.Keys.Where(s => Le(s, ssn)).ToList()) RemovePartial(stream, skipped);
            if (Le(stream.NextSsn, ssn)) stream.NextSsn = (ushort)(ssn + 1);
            DeliverOrdered(stream, delivered);
        }
    }

    /// <summary>Holds the stream's ordered data after <paramref name="lastTsn"/> until <see cref="Reset"/>.</summary>
    public void DeferReset(ushort streamId, uint lastTsn) => Stream(streamId).ResetAfterTsn ??= lastTsn;

    /// <summary>Resets the stream's incoming sequence number to 0 and processes the data held for after the reset.</summary>
    public void Reset(ushort streamId, List<SctpMessage> delivered)
    {
        var stream = Stream(streamId);
        foreach (ushort ssn in stream.Partials.Keys.ToList()) RemovePartial(stream, ssn);
        stream.NextSsn = 0;
        stream.ResetAfterTsn = null;
        var held = stream.Held;
        stream.Held = [];
        foreach (var fragment in held)
        {
            BufferedBytes -= fragment.Data.Length;
            AddOrdered(stream, fragment, delivered);
        }
    }

    private InboundStream Stream(ushort id)
    {
        if (!_streams.TryGetValue(id, out var stream)) _streams[id] = stream = new InboundStream();
        return stream;
    }

    private void AddOrdered(InboundStream stream, ReceivedFragment fragment, List<SctpMessage> delivered)
    {
        if (Lt(fragment.Ssn, stream.NextSsn)) return; // a message already delivered or skipped
        if (!stream.Partials.TryGetValue(fragment.Ssn, out var partial))
        {
            if (_partialMessages >= maxPartialMessages) return;
            stream.Partials[fragment.Ssn] = partial = new PartialMessage();
            _partialMessages++;
        }
        partial.Add(fragment);
        if (partial.Fragments is not null)
        {
            BufferedBytes += fragment.Data.Length;
            if (partial.Bytes > maxMessageSize)
            {
                BufferedBytes -= partial.Bytes;
                partial.Fragments = null;
                OversizedDropped++;
            }
        }
        if (fragment.Ssn == stream.NextSsn) DeliverOrdered(stream, delivered);
    }

    private void DeliverOrdered(InboundStream stream, List<SctpMessage> delivered)
    {
        while (stream.Partials.TryGetValue(stream.NextSsn, out var partial) && partial.IsComplete)
        {
            RemovePartial(stream, stream.NextSsn);
            if (partial.Fragments is { } fragments)
            {
                fragments.Sort(static (a, b) => TsnComparer.Compare(a.Tsn, b.Tsn));
                delivered.Add(Assemble(fragments, 0, fragments.Count, unordered: false));
            }
            stream.NextSsn++;
        }
    }

    private void RemovePartial(InboundStream stream, ushort ssn)
    {
        if (!stream.Partials.Remove(ssn, out var partial)) return;
        _partialMessages--;
        if (partial.Fragments is not null) BufferedBytes -= partial.Bytes;
    }

    private void AddUnordered(ReceivedFragment fragment, List<SctpMessage> delivered)
    {
        if (fragment.Beginning && fragment.End)
        {
            if (fragment.Data.Length > maxMessageSize) OversizedDropped++;
            else delivered.Add(new SctpMessage(fragment.StreamId, fragment.PayloadProtocolId, fragment.Data, Unordered: true));
            return;
        }
        if (!fragment.Beginning && _droppingAfter.Remove(fragment.Tsn - 1))
        {
            DropUnorderedRun(fragment);
            return;
        }
        _unordered[fragment.Tsn] = fragment;
        BufferedBytes += fragment.Data.Length;

        // Back to the B fragment, then forward to the E fragment, over consecutive TSNs of the same stream.
        uint start = fragment.Tsn;
        var first = fragment;
        while (!first.Beginning)
        {
            if (!_unordered.TryGetValue(start - 1, out var previous) || previous.StreamId != fragment.StreamId || previous.End) return;
            start--;
            first = previous;
        }
        long size = 0;
        int count = 0;
        for (uint tsn = start; ; tsn++)
        {
            var current = _unordered[tsn];
            size += current.Data.Length;
            count++;
            if (current.End)
            {
                var fragments = new List<ReceivedFragment>(count);
                for (int i = 0; i < count; i++) fragments.Add(_unordered[start + (uint)i]);
                RemoveUnordered(start, count);
                if (size > maxMessageSize) OversizedDropped++;
                else delivered.Add(Assemble(fragments, 0, count, unordered: true));
                return;
            }
            if (!_unordered.TryGetValue(tsn + 1, out var next) || next.StreamId != fragment.StreamId || next.Beginning)
            {
                if (size > maxMessageSize)
                {
                    RemoveUnordered(start, count);
                    OversizedDropped++;
                    if (_droppingAfter.Count < MaxDroppingRuns) _droppingAfter.Add(tsn);
                }
                return;
            }
        }
    }

    /// <summary>A fragment continues an oversized unordered message: it and the stored fragments that follow it go.</summary>
    private void DropUnorderedRun(ReceivedFragment fragment)
    {
        uint tsn = fragment.Tsn;
        bool ended = fragment.End;
        while (!ended && _unordered.TryGetValue(tsn + 1, out var next) && next.StreamId == fragment.StreamId && !next.Beginning)
        {
            tsn++;
            ended = next.End;
            RemoveUnordered(tsn, 1);
        }
        if (!ended && _droppingAfter.Count < MaxDroppingRuns) _droppingAfter.Add(tsn);
    }

    private void RemoveUnordered(uint start, int count)
    {
        for (int i = 0; i < count; i++)
            if (_unordered.Remove(start + (uint)i, out var removed)) BufferedBytes -= removed.Data.Length;
    }

    private static SctpMessage Assemble(List<ReceivedFragment> fragments, int start, int count, bool unordered)
    {
        int length = 0;
        for (int i = start; i < start + count; i++) length += fragments[i].Data.Length;
        var data = new byte[length];
        int offset = 0;
        for (int i = start; i < start + count; i++)
        {
            fragments[i].Data.CopyTo(data, offset);
            offset += fragments[i].Data.Length;
        }
        var first = fragments[start];
        return new SctpMessage(first.StreamId, first.PayloadProtocolId, data, unordered);
    }

    private sealed class InboundStream
    {
        public ushort NextSsn;
        public readonly Dictionary<ushort, PartialMessage> Partials = [];
        public uint? ResetAfterTsn;
        public List<ReceivedFragment> Held = [];
    }

    /// <summary>
    /// The fragments of one ordered message received so far. Whole when the lowest TSN has the B bit, the highest the E
    /// bit, and every TSN between them is there (TSNs are never counted twice: duplicates are filtered before).
    /// Fragments is null once the message grew too large (the rest is only counted).
    /// </summary>
    private sealed class PartialMessage
    {
        private uint _minTsn, _maxTsn;
        private bool _beginAtMin, _endAtMax;
        private int _count;

        public List<ReceivedFragment>? Fragments = [];
        public long Bytes;

        public bool IsComplete => _count > 0 && _beginAtMin && _endAtMax && (uint)_count == _maxTsn - _minTsn + 1;

        public void Add(ReceivedFragment fragment)
        {
            if (_count == 0 || Lt(fragment.Tsn, _minTsn)) (_minTsn, _beginAtMin) = (fragment.Tsn, fragment.Beginning);
            if (_count == 0 || Gt(fragment.Tsn, _maxTsn)) (_maxTsn, _endAtMax) = (fragment.Tsn, fragment.End);
            _count++;
            if (Fragments is null) return;
            Fragments.Add(fragment);
            Bytes += fragment.Data.Length;
        }
    }
}
