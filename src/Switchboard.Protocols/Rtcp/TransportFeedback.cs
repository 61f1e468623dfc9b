using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtcp;

/// <summary>
/// Packet status symbols (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1). The draft lists 11 as reserved
/// but its own examples (§3.1.3, §3.1.4) read it as "packet received, w/o recv delta"; it is parsed that way here.
/// </summary>
public enum PacketStatusSymbol : byte
{
    NotReceived = 0,
    ReceivedSmallDelta = 1,
    ReceivedLargeDelta = 2,
    ReceivedWithoutDelta = 3,
}

/// <summary>One packet's status in a transport-wide feedback.</summary>
/// <param name="ArrivalMicroseconds">
/// Arrival time relative to the reference time: the sum of the receive deltas so far. Meaningful only when
/// <see cref="HasReceiveDelta"/>.
/// </param>
public readonly record struct PacketStatus(ushort SequenceNumber, PacketStatusSymbol Symbol, long ArrivalMicroseconds)
{
    public bool Received => Symbol != PacketStatusSymbol.NotReceived;
    public bool HasReceiveDelta => Symbol is PacketStatusSymbol.ReceivedSmallDelta or PacketStatusSymbol.ReceivedLargeDelta;
}

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, RTPFB FMT 15):
/// base sequence number, packet status count, reference time, feedback packet count, packet status chunks, then
/// receive deltas. <see cref="TryRead"/> checks that the chunks cover the packet status count and that every receive
/// delta is present, so enumerating a feedback it returned reads only inside the FCI.
/// </summary>
public readonly ref struct TransportFeedback
{
    public const int Format = 15;
    public const int ReferenceTimeMicroseconds = 64_000;
    public const int ReceiveDeltaMicroseconds = 250;
    const int ChunksOffset = 8;

    readonly ReadOnlySpan<byte> _fci;
    readonly int _receiveDeltasOffset;

    TransportFeedback(ReadOnlySpan<byte> fci, int receiveDeltasOffset)
    {
        _fci = fci;
        _receiveDeltasOffset = receiveDeltasOffset;
        BaseSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(fci);
        PacketStatusCount = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        ReferenceTime = (fci[4] << 24 | fci[5] << 16 | fci[6] << 8) >> 8;
        FeedbackPacketCount = fci[7];
    }

    public ushort BaseSequenceNumber { get; }
    public int PacketStatusCount { get; }

    /// <summary>The 24-bit signed reference time, in multiples of 64 ms.</summary>
    public int ReferenceTime { get; }

    public long ReferenceTimeInMicroseconds => (long)ReferenceTime * ReferenceTimeMicroseconds;
    public byte FeedbackPacketCount { get; }

    public static bool Is(in FeedbackPacket feedback) => feedback.Type == RtcpPacketType.TransportFeedback && feedback.Format == Format;

    public static bool TryRead(scoped in FeedbackPacket feedback, out TransportFeedback transportFeedback)
    {
        transportFeedback = default;
        var fci = feedback.Fci;
        if (!Is(feedback) || fci.Length < ChunksOffset) return false;
        int remaining = BinaryPrimitives.ReadUInt16BigEndian(fci[2..]);
        int offset = ChunksOffset;
        int receiveDeltaBytes = 0;
        while (remaining > 0)
        {
            if (fci.Length - offset < 2) return false;
            int chunk = BinaryPrimitives.ReadUInt16BigEndian(fci[offset..]);
            offset += 2;
            int symbols = Math.Min(SymbolCount(chunk), remaining);
            if (IsRunLength(chunk)) receiveDeltaBytes += symbols * ReceiveDeltaSize(Symbol(chunk, 0));
            else
                for (int i = 0; i < symbols; i++) receiveDeltaBytes += ReceiveDeltaSize(Symbol(chunk, i));
            remaining -= symbols;
        }
        if (fci.Length - offset < receiveDeltaBytes) return false;
        transportFeedback = new(fci, offset);
        return true;
    }

    public Enumerator GetEnumerator() => new(_fci, BaseSequenceNumber, PacketStatusCount, _receiveDeltasOffset);

    static bool IsRunLength(int chunk) => (chunk & 0x8000) == 0;

    /// <summary>Run length (§3.1.3), 14 one-bit or 7 two-bit symbols (§3.1.4).</summary>
    static int SymbolCount(int chunk) => IsRunLength(chunk) ? chunk & 0x1FFF : (chunk & 0x4000) == 0 ? 14 : 7;

    /// <summary>
    /// A one-bit symbol is 0 "not received" or 1 "received, small delta": §3.1.4's example and libwebrtc read it so,
    /// though its prose has them the other way round.
    /// </summary>
    static PacketStatusSymbol Symbol(int chunk, int index) =>
        (PacketStatusSymbol)(IsRunLength(chunk) ? chunk >> 13 & 3 : (chunk & 0x4000) == 0 ? chunk >> (13 - index) & 1 : chunk >> (12 - 2 * index) & 3);

    static int ReceiveDeltaSize(PacketStatusSymbol symbol) => symbol switch
    {
        PacketStatusSymbol.ReceivedSmallDelta => 1,
        PacketStatusSymbol.ReceivedLargeDelta => 2,
        _ => 0,
    };

    /// <summary>Each packet from the base sequence number on, wrapping at 65536, with its arrival time.</summary>
    public ref struct Enumerator
    {
        readonly ReadOnlySpan<byte> _fci;
        int _remaining;
        int _chunkOffset;
        int _receiveDeltaOffset;
        int _chunk;
        int _symbolCount;
        int _symbolIndex;
        ushort _sequenceNumber;
        long _arrival;

        internal Enumerator(ReadOnlySpan<byte> fci, ushort baseSequenceNumber, int packetStatusCount, int receiveDeltasOffset)
        {
            _fci = fci;
            _remaining = packetStatusCount;
            _chunkOffset = ChunksOffset;
            _receiveDeltaOffset = receiveDeltasOffset;
            _sequenceNumber = baseSequenceNumber;
        }

        public PacketStatus Current { get; private set; }

        public bool MoveNext()
        {
            if (_remaining == 0) return false;
            while (_symbolIndex == _symbolCount)
            {
                _chunk = BinaryPrimitives.ReadUInt16BigEndian(_fci[_chunkOffset..]);
                _chunkOffset += 2;
                _symbolCount = SymbolCount(_chunk);
                _symbolIndex = 0;
            }
            var symbol = Symbol(_chunk, _symbolIndex++);
            if (symbol == PacketStatusSymbol.ReceivedSmallDelta)
                _arrival += _fci[_receiveDeltaOffset++] * ReceiveDeltaMicroseconds;
            else if (symbol == PacketStatusSymbol.ReceivedLargeDelta)
            {
                _arrival += BinaryPrimitives.ReadInt16BigEndian(_fci[_receiveDeltaOffset..]) * ReceiveDeltaMicroseconds;
                _receiveDeltaOffset += 2;
            }
            Current = new(_sequenceNumber++, symbol, _arrival);
            _remaining--;
            return true;
        }
    }
}

/// <summary>
/// The receiving side of transport-wide congestion control: <see cref="Record"/> each packet's transport-wide
/// sequence number and arrival time, then <see cref="Write"/> feedback periodically. Buffers grow to the largest
/// feedback seen and are reused, so recording allocates nothing in steady state. What is pending spans at most
/// <see cref="MaxStatusSpan"/> sequence numbers: a sender whose numbers jump further (a bug, or a hostile one) has what
/// was pending dropped, so one feedback's work stays bounded whatever it sends. Not thread-safe.
/// </summary>
public sealed class TransportFeedbackBuilder
{
    const int FciHeaderLength = 8;
    const int MaxRunLength = 0x1FFF;
    const int MinRunLength = 7;

    /// <summary>Sequence numbers pending packets may span; a wider jump drops what is pending (counted in <see cref="Dropped"/>).</summary>
    public const int MaxStatusSpan = 4096;

    // Pending packets: sequence numbers unwrapped to 64 bits, and arrival times in microseconds.
    long[] _sequenceNumbers = new long[64];
    long[] _arrivals = new long[64];
    int _pendingCount;
    long _lastSequenceNumber;
    bool _anyRecorded;

    // Scratch for one feedback: a symbol and receive delta per status, then the packet status chunks.
    byte[] _symbols = new byte[256];
    short[] _receiveDeltas = new short[256];
    ushort[] _chunks = new ushort[64];
    int[] _chunkStatusEnds = new int[64];
    int[] _chunkReceiveDeltaEnds = new int[64];

    /// <summary>The feedback packet count the next feedback carries; it wraps at 256.</summary>
    public byte FeedbackPacketCount { get; private set; }

    /// <summary>Packets recorded but not yet reported.</summary>
    public int PendingCount => _pendingCount;

    /// <summary>Pending packets dropped unreported because the sequence numbers jumped too far or came too often.</summary>
    public long Dropped { get; private set; }

    public void Record(ushort transportSequenceNumber, long arrivalMicroseconds)
    {
        long sequenceNumber = _anyRecorded
            ? _lastSequenceNumber + (short)(transportSequenceNumber - (ushort)_lastSequenceNumber)
            : transportSequenceNumber;
        _lastSequenceNumber = sequenceNumber;
        _anyRecorded = true;
        if (_pendingCount > 0 && Math.Abs(sequenceNumber - _sequenceNumbers[0]) >= MaxStatusSpan)
        {
            Dropped += _pendingCount;
            _pendingCount = 0;
        }
        if (_pendingCount >= 2 * MaxStatusSpan) // duplicates, over and over
        {
            Dropped++;
            return;
        }
        if (_pendingCount == _sequenceNumbers.Length)
        {
            Array.Resize(ref _sequenceNumbers, _pendingCount * 2);
            Array.Resize(ref _arrivals, _pendingCount * 2);
        }
        _sequenceNumbers[_pendingCount] = sequenceNumber;
        _arrivals[_pendingCount++] = arrivalMicroseconds;
    }

    /// <summary>
    /// Writes one feedback for the lowest pending packets and removes them from the pending set. It stops before a
    /// packet whose receive delta does not fit 16 bits (§3.1.5: a new feedback covers it, its reference time absorbing the
    /// gap), after 65535 statuses, and at the last packet status chunk that fits <paramref name="destination"/>; call
    /// again while <see cref="PendingCount"/> is non-zero. Returns the length written, 0 when nothing is pending, or -1
    /// when not even one chunk fits.
    /// </summary>
    public int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        if (_pendingCount == 0) return 0;
        SortAndDropDuplicates();
        long baseSequenceNumber = _sequenceNumbers[0];
        // §3.1: reference time in multiples of 64 ms, at or before the first arrival so the first delta is small.
        long referenceTime = Math.DivRem(_arrivals[0], TransportFeedback.ReferenceTimeMicroseconds, out long remainder) - (remainder < 0 ? 1 : 0);
        int statusCount = CollectStatuses(baseSequenceNumber, referenceTime * TransportFeedback.ReferenceTimeMicroseconds, out int packetCount);
        int chunkCount = EncodeChunks(statusCount);

        int room = destination.Length - RtcpPacket.HeaderLength - FeedbackPacket.FciOffset;
        int chunks = chunkCount;
        while (chunks > 0 && FciLength(chunks) > room) chunks--;
        if (chunks == 0) return -1;
        if (chunks < chunkCount)
        {
            statusCount = _chunkStatusEnds[chunks - 1];
            packetCount = 0;
            while (packetCount < _pendingCount && _sequenceNumbers[packetCount] - baseSequenceNumber < statusCount) packetCount++;
        }
        int fciLength = FciLength(chunks);
        int length = FeedbackPacket.WriteHeader(destination, RtcpPacketType.TransportFeedback, TransportFeedback.Format, senderSsrc, mediaSsrc, fciLength);

        var fci = destination.Slice(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset, fciLength);
        BinaryPrimitives.WriteUInt16BigEndian(fci, (ushort)baseSequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(fci[2..], (ushort)statusCount);
        fci[4] = (byte)(referenceTime >> 16);
        fci[5] = (byte)(referenceTime >> 8);
        fci[6] = (byte)referenceTime;
        fci[7] = FeedbackPacketCount++;
        int offset = FciHeaderLength;
        for (int i = 0; i < chunks; i++, offset += 2) BinaryPrimitives.WriteUInt16BigEndian(fci[offset..], _chunks[i]);
        for (int i = 0; i < statusCount; i++)
        {
            var symbol = (PacketStatusSymbol)_symbols[i];
            if (symbol == PacketStatusSymbol.ReceivedSmallDelta) fci[offset++] = (byte)_receiveDeltas[i];
            else if (symbol == PacketStatusSymbol.ReceivedLargeDelta)
            {
                BinaryPrimitives.WriteInt16BigEndian(fci[offset..], _receiveDeltas[i]);
                offset += 2;
            }
        }
        fci[offset..].Clear();

        _pendingCount -= packetCount;
        Array.Copy(_sequenceNumbers, packetCount, _sequenceNumbers, 0, _pendingCount);
        Array.Copy(_arrivals, packetCount, _arrivals, 0, _pendingCount);
        return length;
    }

    /// <summary>The FCI with the first <paramref name="chunks"/> chunks and their receive deltas, zero-padded to 32 bits (§3.1).</summary>
    int FciLength(int chunks) => (FciHeaderLength + 2 * chunks + _chunkReceiveDeltaEnds[chunks - 1] + 3) & ~3;

    /// <summary>Orders pending packets by sequence number; a packet recorded twice is reported once.</summary>
    void SortAndDropDuplicates()
    {
        Array.Sort(_sequenceNumbers, _arrivals, 0, _pendingCount);
        int unique = 1;
        for (int i = 1; i < _pendingCount; i++)
        {
            if (_sequenceNumbers[i] == _sequenceNumbers[unique - 1]) continue;
            _sequenceNumbers[unique] = _sequenceNumbers[i];
            _arrivals[unique++] = _arrivals[i];
        }
        _pendingCount = unique;
    }

    /// <summary>
    /// Fills a symbol and receive delta per status from the base sequence number on; returns the status count and how
    /// many pending packets it covers.
    /// </summary>
    int CollectStatuses(long baseSequenceNumber, long referenceMicroseconds, out int packetCount)
    {
        long reported = referenceMicroseconds; // arrival time as the receive deltas so far describe it
        int statusCount = 0;
        packetCount = 0;
        for (; packetCount < _pendingCount; packetCount++)
        {
            long index = _sequenceNumbers[packetCount] - baseSequenceNumber;
            if (index >= ushort.MaxValue) break;
            long difference = _arrivals[packetCount] - reported;
            long delta = (difference + (difference < 0 ? -125 : 125)) / TransportFeedback.ReceiveDeltaMicroseconds;
            if (delta is < short.MinValue or > short.MaxValue) break;
            EnsureStatusCapacity((int)index + 1);
            for (; statusCount < index; statusCount++) _symbols[statusCount] = (byte)PacketStatusSymbol.NotReceived;
            _symbols[statusCount] = (byte)(delta is >= 0 and <= byte.MaxValue ? PacketStatusSymbol.ReceivedSmallDelta : PacketStatusSymbol.ReceivedLargeDelta);
            _receiveDeltas[statusCount++] = (short)delta;
            reported += delta * TransportFeedback.ReceiveDeltaMicroseconds;
        }
        return statusCount;
    }

    /// <summary>
    /// Run length chunks for runs of 7 or more equal symbols, else a status vector chunk: 14 one-bit symbols when the
    /// next 14 are all "not received" or "received, small delta", 7 two-bit symbols otherwise. Records, per chunk, the
    /// statuses and receive delta bytes covered up to its end.
    /// </summary>
    int EncodeChunks(int statusCount)
    {
        int chunkCount = 0;
        int receiveDeltaBytes = 0;
        for (int start = 0; start < statusCount;)
        {
            int run = 1;
            while (start + run < statusCount && run < MaxRunLength && _symbols[start + run] == _symbols[start]) run++;
            int chunk;
            int taken;
            if (run >= MinRunLength)
            {
                chunk = _symbols[start] << 13 | run; // §3.1.3
                taken = run;
            }
            else
            {
                taken = Math.Min(14, statusCount - start);
                bool oneBit = true;
                for (int i = 0; i < taken && oneBit; i++) oneBit = _symbols[start + i] <= 1;
                if (oneBit)
                {
                    chunk = 0x8000; // §3.1.4, S = 0
                    for (int i = 0; i < taken; i++) chunk |= _symbols[start + i] << (13 - i);
                }
                else
                {
                    taken = Math.Min(7, taken);
                    chunk = 0xC000; // §3.1.4, S = 1
                    for (int i = 0; i < taken; i++) chunk |= _symbols[start + i] << (12 - 2 * i);
                }
            }
            for (int i = start; i < start + taken; i++) receiveDeltaBytes += _symbols[i]; // the symbols written here are 0, 1 or 2: their receive delta size
            start += taken;
            if (chunkCount == _chunks.Length)
            {
                Array.Resize(ref _chunks, chunkCount * 2);
                Array.Resize(ref _chunkStatusEnds, chunkCount * 2);
                Array.Resize(ref _chunkReceiveDeltaEnds, chunkCount * 2);
            }
            _chunks[chunkCount] = (ushort)chunk;
            _chunkStatusEnds[chunkCount] = start;
            _chunkReceiveDeltaEnds[chunkCount++] = receiveDeltaBytes;
        }
        return chunkCount;
    }

    void EnsureStatusCapacity(int count)
    {
        if (count <= _symbols.Length) return;
        int capacity = Math.Max(count, _symbols.Length * 2);
        Array.Resize(ref _symbols, capacity);
        Array.Resize(ref _receiveDeltas, capacity);
    }
}
