namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// Turns one publisher stream's RTP packets (decrypted, retransmissions unwrapped) into whole encoded frames, in order,
/// for a recorder. Packets wait in a reorder window, by sequence number unwrapped to 64 bits, until their frame is whole:
/// its first packet follows the previous frame's last (or starts a key frame), its last has the marker bit (or the next
/// packet has another timestamp), and no sequence number between them is missing. A missing packet is waited for
/// <c>repairWait</c> (a retransmission answers a NACK 100-300 ms late), counted from the arrival of the first packet
/// after it; then its frame is given up, never emitted incomplete (a frame whose last packet has not come, with nothing
/// after it, is held until a later packet says whether it is lost). Video then waits for the next key frame (later frames
/// reference the lost one) and asks for one (<see cref="TakeKeyframeRequest"/>); so does a stream that starts without one,
/// so the first frame emitted is a key frame. For Opus each packet is a frame and a lost one is a gap.
/// <para>
/// A sequence number more than 3000 away from the highest, or another SSRC, is a new stream (a publisher that connected
/// again): what is complete is flushed (the next <see cref="TakeReady"/> returns it), the rest dropped, and the assembler
/// starts again on a key frame. <see cref="EncodedFrame.Timestamp"/> stays continuous across that: the first frame of the
/// new stream is placed after the last one emitted by the time between their arrivals at the codec's clock rate (48 kHz
/// for Opus, 90 kHz for video), and the new stream's timestamps run on from there.
/// </para>
/// <para>
/// Bounded: at most <c>maxPendingPackets</c> held and <see cref="MaxHeldBytes"/> in them; beyond that the oldest frame is
/// dropped. A frame over <see cref="MaxFrameBytes"/> is dropped. Malformed payloads make no frame; nothing throws on
/// input. Not thread-safe: the owner serializes calls. Sans-IO: the caller passes its clock.
/// </para>
/// </summary>
public sealed class FrameAssembler
{
    public const int MaxFrameBytes = 4 * 1024 * 1024;
    public const long MaxHeldBytes = 2L * MaxFrameBytes;
    const int RestartDistance = 3000;

    readonly Depacketizer _depacketizer;
    readonly bool _video;
    readonly int _clockRate;
    readonly TimeSpan _repairWait;
    readonly int _maxPendingPackets;
    readonly Dictionary<long, HeldPacket> _held = [];
    readonly SortedSet<long> _keyframeStarts = [];
    readonly List<byte[]> _framePayloads = [];
    readonly List<EncodedFrame> _flushed = [];

    bool _started, _advanced, _awaitingKeyframe, _keyframeRequested;
    uint _ssrc;
    long _next, _highest, _heldBytes;
    long _holeSequence = -1;
    TimeSpan _holeSince;
    bool _hasDroppedTimestamp;
    uint _droppedTimestamp;
    bool _timestampStarted, _rebaseTimestamp;
    uint _lastRawTimestamp;
    long _lastTimestamp;
    TimeSpan _lastEmittedArrival;

    public FrameAssembler(FrameCodec codec, TimeSpan? repairWait = null, int maxPendingPackets = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPendingPackets);
        _depacketizer = Depacketizer.For(codec);
        _video = codec != FrameCodec.Opus;
        _clockRate = _video ? 90_000 : 48_000;
        _repairWait = repairWait ?? TimeSpan.FromMilliseconds(500);
        ArgumentOutOfRangeException.ThrowIfLessThan(_repairWait, TimeSpan.Zero);
        _maxPendingPackets = maxPendingPackets;
    }

    /// <summary>Frames of video that arrived in part or whole and were not emitted: given up, malformed, too large, or
    /// discarded while waiting for a key frame (a frame none of whose packets arrived is not counted).</summary>
    public long FramesDropped { get; private set; }

    /// <summary>Packets that went into no frame: not RTP, duplicates, too late, and those of dropped frames.</summary>
    public long PacketsDiscarded { get; private set; }

    /// <summary>Packets held in the reorder window.</summary>
    public int PendingPackets => _held.Count;

    /// <summary>Takes one RTP packet; its payload is copied. <paramref name="now"/> is the caller's clock.</summary>
    public void Push(ReadOnlySpan<byte> rtpPacket, TimeSpan now)
    {
        if (!RtpPacket.TryParse(rtpPacket, out var rtp))
        {
            PacketsDiscarded++;
            return;
        }
        if (!_started) Start(rtp.Ssrc, rtp.SequenceNumber);
        long sequence = _highest + (short)(rtp.SequenceNumber - (ushort)_highest);
        if (rtp.Ssrc != _ssrc || Math.Abs(sequence - _highest) > RestartDistance)
        {
            Restart(now);
            Start(rtp.Ssrc, rtp.SequenceNumber);
            sequence = _highest;
        }
        if (sequence < _next)
        {
            if (_advanced)
            {
                PacketsDiscarded++; // too late: its frame was emitted or given up
                return;
            }
            _next = sequence; // nothing taken yet: the stream's first packets arrived out of order
        }
        var payload = rtp.Payload;
        if (_held.ContainsKey(sequence))
        {
            PacketsDiscarded++;
            return;
        }
        _held.Add(sequence, new HeldPacket(payload.ToArray(), rtp.Timestamp, rtp.Marker, now));
        _heldBytes += payload.Length;
        _highest = Math.Max(_highest, sequence);
        if (_awaitingKeyframe)
        {
            if (_depacketizer.IsKeyframeStart(payload)) _keyframeStarts.Add(sequence);
            else if (_keyframeStarts.Count == 0) _keyframeRequested = true;
        }
        while (_held.Count > _maxPendingPackets || _heldBytes > MaxHeldBytes) DropOldestFrame();
    }

    /// <summary>
    /// Appends to <paramref name="frames"/> the frames that are complete and whose predecessors are complete or given
    /// up on, in order, giving up on holes older than the repair wait. Returns how many it appended.
    /// </summary>
    public int TakeReady(TimeSpan now, List<EncodedFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int before = frames.Count;
        frames.AddRange(_flushed);
        _flushed.Clear();
        Drain(now, frames, flush: false);
        return frames.Count - before;
    }

    /// <summary>True once after the assembler began waiting for a key frame (a video frame dropped, or a stream that
    /// started without one), and again while it discards frames waiting: the caller sends a PLI (throttled).</summary>
    public bool TakeKeyframeRequest()
    {
        bool requested = _keyframeRequested;
        _keyframeRequested = false;
        return requested;
    }

    void Start(uint ssrc, ushort sequenceNumber)
    {
        _started = true;
        _advanced = false;
        _ssrc = ssrc;
        _next = _highest = sequenceNumber;
        _holeSequence = -1;
        _awaitingKeyframe = _video;
        _keyframeStarts.Clear();
    }

    /// <summary>A new stream: flush what is complete, drop the rest.</summary>
    void Restart(TimeSpan now)
    {
        Drain(now, _flushed, flush: true);
        foreach (var packet in _held.Values) Discard(packet);
        _held.Clear();
        _heldBytes = 0;
        _rebaseTimestamp = _timestampStarted;
    }

    void Drain(TimeSpan now, List<EncodedFrame> output, bool flush)
    {
        while (_next <= _highest)
        {
            if (_awaitingKeyframe && !SkipToKeyframeStart(now, flush)) return;
            if (!_held.ContainsKey(_next))
            {
                // The first packet of the next frame is missing.
                if (!flush && !GivenUp(_next, now)) return;
                Advance(_next + 1);
                if (_video) AwaitKeyframe();
                continue;
            }
            long end = FindFrameEnd(_next, out long missing);
            if (end < 0)
            {
                if (missing > _highest || (!flush && !GivenUp(missing, now))) return;
                for (long sequence = _next; sequence < missing; sequence++) Discard(Remove(sequence));
                Advance(missing + 1);
                AwaitKeyframe();
                continue;
            }
            Assemble(_next, end, output);
        }
    }

    /// <summary>
    /// Waiting for a key frame: moves to the first key frame start held (it stays a candidate until the cursor passes
    /// it), discarding what is before it. Without one,
    /// discards what can no longer be part of one (packets held for the repair wait, holes given up) and returns false.
    /// </summary>
    bool SkipToKeyframeStart(TimeSpan now, bool flush)
    {
        while (_keyframeStarts.Count > 0 && _keyframeStarts.Min < _next) _keyframeStarts.Remove(_keyframeStarts.Min);
        if (_keyframeStarts.Count > 0)
        {
            long start = _keyframeStarts.Min;
            for (long sequence = _next; sequence < start; sequence++)
                if (_held.ContainsKey(sequence)) Discard(Remove(sequence));
            if (start > _next) Advance(start);
            return true;
        }
        while (_next <= _highest)
        {
            if (_held.TryGetValue(_next, out var packet))
            {
                if (!flush && now - packet.Arrival < _repairWait) return false;
                Discard(Remove(_next));
            }
            else if (!flush && !GivenUp(_next, now)) return false;
            Advance(_next + 1);
        }
        return false;
    }

    /// <summary>The last packet of the frame that starts at <paramref name="start"/>, or -1 and the first missing one.</summary>
    long FindFrameEnd(long start, out long missing)
    {
        missing = -1;
        uint timestamp = _held[start].Timestamp;
        for (long sequence = start; ; sequence++)
        {
            var packet = _held[sequence];
            if (!_video || packet.Marker) return sequence;
            if (!_held.TryGetValue(sequence + 1, out var following))
            {
                missing = sequence + 1;
                return -1;
            }
            if (following.Timestamp != timestamp) return sequence;
        }
    }

    void Assemble(long start, long end, List<EncodedFrame> output)
    {
        _framePayloads.Clear();
        long bytes = 0;
        var first = _held[start];
        for (long sequence = start; sequence <= end; sequence++)
        {
            var packet = Remove(sequence);
            _framePayloads.Add(packet.Payload);
            bytes += packet.Payload.Length;
        }
        Advance(end + 1);
        if (bytes > MaxFrameBytes || !_depacketizer.TryAssemble(_framePayloads, out byte[] data, out var info)
            || (_awaitingKeyframe && !info.IsKeyframe))
        {
            PacketsDiscarded += _framePayloads.Count;
            CountDroppedFrame(first.Timestamp);
            if (_video) AwaitKeyframe();
            return;
        }
        _awaitingKeyframe = false;
        _keyframeStarts.Clear();
        output.Add(new EncodedFrame(data, UnwrapTimestamp(first.Timestamp, first.Arrival), info.IsKeyframe, info.Width, info.Height));
    }

    /// <summary>Over the bounds: drops the frame of the oldest packet held.</summary>
    void DropOldestFrame()
    {
        while (!_held.ContainsKey(_next)) Advance(_next + 1);
        uint timestamp = _held[_next].Timestamp;
        do
        {
            Discard(Remove(_next));
            Advance(_next + 1);
        } while (_held.TryGetValue(_next, out var packet) && packet.Timestamp == timestamp && _video);
        if (_video) AwaitKeyframe();
    }

    void AwaitKeyframe()
    {
        _keyframeRequested = true;
        if (_awaitingKeyframe) return;
        _awaitingKeyframe = true;
        foreach (var (sequence, packet) in _held)
            if (sequence >= _next && _depacketizer.IsKeyframeStart(packet.Payload)) _keyframeStarts.Add(sequence);
    }

    /// <summary>Whether the missing packet <paramref name="sequence"/> has been waited for long enough: the repair wait,
    /// from the arrival of the first packet after it.</summary>
    bool GivenUp(long sequence, TimeSpan now)
    {
        if (_holeSequence != sequence)
        {
            _holeSequence = sequence;
            _holeSince = TimeSpan.MaxValue;
            foreach (var (held, packet) in _held)
                if (held > sequence && packet.Arrival < _holeSince) _holeSince = packet.Arrival;
        }
        return now - _holeSince >= _repairWait;
    }

    void Advance(long next)
    {
        _next = next;
        _advanced = true;
    }

    HeldPacket Remove(long sequence)
    {
        _held.Remove(sequence, out var packet);
        _heldBytes -= packet.Payload.Length;
        return packet;
    }

    void Discard(HeldPacket packet)
    {
        PacketsDiscarded++;
        if (_video)
        {
            CountDroppedFrame(packet.Timestamp);
            if (_awaitingKeyframe) _keyframeRequested = true;
        }
    }

    void CountDroppedFrame(uint timestamp)
    {
        if (_hasDroppedTimestamp && timestamp == _droppedTimestamp) return;
        _hasDroppedTimestamp = true;
        _droppedTimestamp = timestamp;
        FramesDropped++;
    }

    long UnwrapTimestamp(uint timestamp, TimeSpan arrival)
    {
        if (!_timestampStarted) _lastTimestamp = timestamp;
        else if (_rebaseTimestamp) _lastTimestamp += Math.Max(1, (long)((arrival - _lastEmittedArrival).TotalSeconds * _clockRate));
        else _lastTimestamp += (int)(timestamp - _lastRawTimestamp);
        _timestampStarted = true;
        _rebaseTimestamp = false;
        _lastRawTimestamp = timestamp;
        _lastEmittedArrival = arrival;
        return _lastTimestamp;
    }

    readonly record struct HeldPacket(byte[] Payload, uint Timestamp, bool Marker, TimeSpan Arrival);
}
