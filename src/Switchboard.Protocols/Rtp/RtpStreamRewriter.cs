using System.Numerics;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// Makes a subscriber see one continuous RTP stream while the source behind it changes (a simulcast layer switch, a
/// publisher's new SSRC after a reconnect, a resume after a pause): sequence numbers and timestamps go on from where
/// the last forwarded packet left them. Within one source the offsets stay fixed, so real loss still shows as a gap
/// (and is NACKed) and reordering is kept. Remembers the last <c>historySize</c> outgoing sequence numbers to drop
/// duplicates and to answer NACKs. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class RtpStreamRewriter
{
    private readonly uint _clockRate;
    private readonly Entry[] _history;
    private readonly int _mask;

    private bool _rebase = true;
    private int _source;
    private long _baseIn;        // extended sequence number of the source's first packet since the last rebase
    private long _highestIn;     // extended sequence number of the source's newest packet
    private long _inToOut;       // extended out sequence = extended in sequence + this
    private uint _timestampOffset;
    private long _highestOut = -1;
    private long _highestOutAt;

    public RtpStreamRewriter(uint clockRate, int historySize = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfZero(clockRate);
        if (historySize <= 0 || !BitOperations.IsPow2(historySize))
            throw new ArgumentOutOfRangeException(nameof(historySize), historySize, "must be a power of two");
        _clockRate = clockRate;
        _history = new Entry[historySize];
        _history.AsSpan().Fill(new Entry(-1, 0, 0, 0));
        _mask = historySize - 1;
    }

    public bool HasStarted => _highestOut >= 0;

    /// <summary>The newest forwarded outgoing sequence number.</summary>
    public ushort LastSequenceNumber => (ushort)_highestOut;

    /// <summary>The outgoing timestamp of the newest forwarded packet.</summary>
    public uint LastTimestamp { get; private set; }

    /// <summary>
    /// Maps one packet of <paramref name="source"/> (any int naming where it came from: a layer index, or a counter
    /// bumped when the publisher's SSRC changes). The first packet after a change of source or a <see cref="Pause"/>
    /// continues the outgoing stream: sequence number + 1, and as timestamp <paramref name="continueAt"/> when the caller
    /// knows where the packet falls on the outgoing timeline (from the sender reports of both sources) and it is after the
    /// newest forwarded timestamp, else that timestamp + the wall time since the newest forwarded packet (at least 1).
    /// The very first packet gets random starting values (RFC 3550 §5.1).
    /// </summary>
    /// <returns>False when the packet must not be forwarded: it is older than the source's first packet since the
    /// last rebase, a duplicate of one already forwarded, or too late to tell (more than the history behind the newest).</returns>
    public bool TryRewrite(int source, ushort sequenceNumber, uint timestamp, long nowMillis, out ushort outSequence, out uint outTimestamp,
        uint? continueAt = null)
    {
        long inExtended, outExtended;
        if (_rebase || source != _source)
        {
            uint nextTimestamp;
            if (HasStarted)
            {
                outExtended = _highestOut + 1;
                long elapsed = Math.Max(1, (nowMillis - _highestOutAt) * _clockRate / 1000);
                nextTimestamp = continueAt is { } at && (int)(at - LastTimestamp) > 0 ? at : LastTimestamp + (uint)elapsed;
            }
            else
            {
                outExtended = Random.Shared.Next(0x10000);
                nextTimestamp = (uint)Random.Shared.NextInt64(0x1_0000_0000);
            }
            _rebase = false;
            _source = source;
            _baseIn = _highestIn = inExtended = sequenceNumber;
            _inToOut = outExtended - inExtended;
            _timestampOffset = nextTimestamp - timestamp;
        }
        else
        {
            // The extended sequence number nearest the newest: forward across a wrap, or back for a late packet.
            inExtended = _highestIn + (short)(sequenceNumber - (ushort)_highestIn);
            outExtended = inExtended + _inToOut;
            bool beforeRebase = inExtended < _baseIn, beyondHistory = outExtended <= _highestOut - _history.Length;
            if (beforeRebase || beyondHistory || _history[outExtended & _mask].OutSequence == outExtended) // the last: a duplicate
            {
                outSequence = 0;
                outTimestamp = 0;
                return false;
            }
            _highestIn = Math.Max(_highestIn, inExtended);
        }

        outSequence = (ushort)outExtended;
        outTimestamp = timestamp + _timestampOffset;
        _history[outExtended & _mask] = new Entry(outExtended, source, sequenceNumber, outTimestamp);
        if (outExtended > _highestOut)
        {
            _highestOut = outExtended;
            _highestOutAt = nowMillis;
            LastTimestamp = outTimestamp;
        }
        return true;
    }

    /// <summary>
    /// The next packet rebases even from the same source (after a pause such as a mute): the subscriber sees no gap for
    /// what was not forwarded.
    /// </summary>
    public void Pause() => _rebase = true;

    /// <summary>
    /// For NACKs: the source and source sequence number an outgoing sequence number carried (within the history), and
    /// its outgoing timestamp.
    /// </summary>
    public bool TryLookup(ushort outSequence, out int source, out ushort sequenceNumber, out uint outTimestamp)
    {
        var entry = _history[outSequence & _mask];
        bool found = entry.OutSequence >= 0 && (ushort)entry.OutSequence == outSequence && entry.OutSequence > _highestOut - _history.Length;
        source = found ? entry.Source : 0;
        sequenceNumber = found ? entry.Sequence : (ushort)0;
        outTimestamp = found ? entry.OutTimestamp : 0;
        return found;
    }

    /// <summary>
    /// A source RTP timestamp in the outgoing stream with the current offset (to translate a Sender Report); false
    /// before the first packet, for another source than the current one, and after <see cref="Pause"/> until the next packet.
    /// </summary>
    public bool TryMapTimestamp(int source, uint timestamp, out uint outTimestamp)
    {
        bool current = HasStarted && !_rebase && source == _source;
        outTimestamp = current ? timestamp + _timestampOffset : 0;
        return current;
    }

    private readonly record struct Entry(long OutSequence, int Source, ushort Sequence, uint OutTimestamp);
}
