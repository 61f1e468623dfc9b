using static Switchboard.Protocols.Sctp.SerialNumber;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The TSNs a receiver has seen (RFC 9260 §6.2): the cumulative TSN (all up to it received) and sorted, disjoint runs
/// received above it, which become a SACK's gap ack blocks, plus the duplicates since the last SACK. TSNs more than
/// <see cref="MaxTsnDistance"/> ahead of the cumulative TSN (a gap block's 16-bit offset) or past the out-of-order limit
/// are refused, so memory and the cost of each insertion stay bounded.
/// </summary>
internal sealed class ReceivedTsns(int maxOutOfOrder)
{
    public const int MaxTsnDistance = ushort.MaxValue;
    public const int MaxDuplicates = 64;

    private readonly List<(uint Start, uint End)> _runs = [];
    private readonly List<uint> _duplicates = [];

    public uint CumulativeTsn { get; private set; }
    public int OutOfOrderCount { get; private set; }
    public bool HasGaps => _runs.Count > 0;
    public IReadOnlyList<uint> Duplicates => _duplicates;

    public void Start(uint peerInitialTsn)
    {
        CumulativeTsn = peerInitialTsn - 1;
        _runs.Clear();
        _duplicates.Clear();
        OutOfOrderCount = 0;
    }

    public bool Contains(uint tsn)
    {
        if (Le(tsn, CumulativeTsn)) return true;
        int index = FirstRunEndingAtOrAfter(tsn);
        return index < _runs.Count && Ge(tsn, _runs[index].Start);
    }

    /// <summary>True when a TSN not yet received may be tracked: the next in sequence always; others within the limits.</summary>
    public bool CanTrack(uint tsn) =>
        tsn == CumulativeTsn + 1 || (Gt(tsn, CumulativeTsn) && tsn - CumulativeTsn <= MaxTsnDistance && OutOfOrderCount < maxOutOfOrder);

    /// <summary>Records a TSN that <see cref="Contains"/> denied and <see cref="CanTrack"/> allowed.</summary>
    public void Add(uint tsn)
    {
        if (tsn == CumulativeTsn + 1)
        {
            CumulativeTsn = tsn;
            AbsorbFirstRun();
            return;
        }
        OutOfOrderCount++;
        int index = FirstRunEndingAtOrAfter(tsn - 1);
        if (index < _runs.Count)
        {
            var run = _runs[index];
            if (run.End == tsn - 1)
            {
                if (index + 1 < _runs.Count && _runs[index + 1].Start == tsn + 1)
                {
                    _runs[index] = (run.Start, _runs[index + 1].End);
                    _runs.RemoveAt(index + 1);
                }
                else _runs[index] = (run.Start, tsn);
                return;
            }
            if (run.Start == tsn + 1)
            {
                _runs[index] = (tsn, run.End);
                return;
            }
        }
        _runs.Insert(index, (tsn, tsn));
    }

    public void RecordDuplicate(uint tsn)
    {
        if (_duplicates.Count < MaxDuplicates) _duplicates.Add(tsn);
    }

    public void ClearDuplicates() => _duplicates.Clear();

    /// <summary>Moves the cumulative TSN forward (FORWARD-TSN, RFC 3758 §3.6), dropping the runs it passes.</summary>
    public void ForwardTo(uint newCumulativeTsn)
    {
        if (Le(newCumulativeTsn, CumulativeTsn)) return;
        CumulativeTsn = newCumulativeTsn;
        int passed = 0;
        while (passed < _runs.Count && Le(_runs[passed].End, newCumulativeTsn))
        {
            OutOfOrderCount -= (int)(_runs[passed].End - _runs[passed].Start + 1);
            passed++;
        }
        _runs.RemoveRange(0, passed);
        if (_runs.Count > 0 && Le(_runs[0].Start, newCumulativeTsn))
        {
            OutOfOrderCount -= (int)(newCumulativeTsn - _runs[0].Start + 1);
            _runs[0] = (newCumulativeTsn + 1, _runs[0].End);
        }
        AbsorbFirstRun();
    }

    /// <summary>Writes gap ack blocks (start and end offsets) into <paramref name="destination"/>, lowest first; returns the values written.</summary>
    public int WriteGapBlocks(Span<ushort> destination)
    {
        int written = 0;
        for (int i = 0; i < _runs.Count && written + 2 <= destination.Length; i++)
        {
            destination[written++] = (ushort)(_runs[i].Start - CumulativeTsn);
            destination[written++] = (ushort)(_runs[i].End - CumulativeTsn);
        }
        return written;
    }

    private void AbsorbFirstRun()
    {
        if (_runs.Count == 0 || _runs[0].Start != CumulativeTsn + 1) return;
        OutOfOrderCount -= (int)(_runs[0].End - _runs[0].Start + 1);
        CumulativeTsn = _runs[0].End;
        _runs.RemoveAt(0);
    }

    private int FirstRunEndingAtOrAfter(uint tsn)
    {
        int low = 0, high = _runs.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (Lt(_runs[middle].End, tsn)) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}
