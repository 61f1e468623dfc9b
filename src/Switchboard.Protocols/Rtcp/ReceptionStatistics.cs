namespace Switchboard.Protocols.Rtcp;

/// <summary>
/// What a receiver knows of one RTP source, as RFC 3550 Appendix A.1, A.3 and A.8 count it: extended highest sequence
/// number, packets expected and received, interarrival jitter, and the last SR, from which a report block is made.
/// Times are the caller's, in milliseconds; not thread-safe.
/// </summary>
public sealed class ReceptionStatistics(uint ssrc, int clockRate)
{
    private bool _started;
    private uint _baseSequence;
    private uint _highestExtended;
    private long _received;
    private long _expectedPrior, _receivedPrior;
    private double _jitter;
    private long _lastTransit;
    private bool _hasTransit;
    private uint _lastSenderReport;
    private long _lastSenderReportAt;

    public uint Ssrc { get; } = ssrc;

    public int ClockRate { get; } = clockRate;

    /// <summary>Packets expected less packets received since the first one (RFC 3550 A.3); negative with duplicates.</summary>
    public long CumulativeLost => _started ? (long)(_highestExtended - _baseSequence + 1) - _received : 0;

    /// <summary>Interarrival jitter in timestamp units (RFC 3550 A.8).</summary>
    public uint Jitter => (uint)_jitter;

    public void OnPacket(ushort sequenceNumber, uint timestamp, long nowMillis)
    {
        _received++;
        if (!_started)
        {
            _started = true;
            _baseSequence = _highestExtended = sequenceNumber;
        }
        else
        {
            // The extended sequence number closest to the highest seen: wraps forward, late packets backward.
            uint candidate = (_highestExtended & 0xFFFF0000) | sequenceNumber;
            int delta = (int)(candidate - _highestExtended);
            if (delta < -0x8000) candidate += 0x10000;
            else if (delta > 0x8000 && candidate >= 0x10000) candidate -= 0x10000;
            if ((int)(candidate - _highestExtended) > 0) _highestExtended = candidate;
        }
        long arrival = nowMillis * ClockRate / 1000;
        long transit = arrival - timestamp;
        if (_hasTransit)
        {
            long d = Math.Abs(transit - _lastTransit);
            if (d < ClockRate * 10L) _jitter += (d - _jitter) / 16; // a jump of over 10 s is a timestamp reset, not jitter
        }
        _lastTransit = transit;
        _hasTransit = true;
    }

    /// <summary>Remembers an SR from this source: its NTP timestamp's middle 32 bits become the next block's LSR.</summary>
    public void OnSenderReport(ulong ntpTimestamp, long nowMillis)
    {
        _lastSenderReport = (uint)(ntpTimestamp >> 16);
        _lastSenderReportAt = nowMillis;
    }

    /// <summary>A report block for now; the fraction lost covers the interval since the previous block (RFC 3550 A.3).</summary>
    public ReportBlock CreateReportBlock(long nowMillis)
    {
        long expected = _started ? _highestExtended - _baseSequence + 1 : 0;
        long expectedInterval = expected - _expectedPrior, receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval <= 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        // DLSR in units of 1/65536 s (RFC 3550 §6.4.1).
        uint delay = _lastSenderReport == 0 ? 0 : (uint)((nowMillis - _lastSenderReportAt) * 65536 / 1000);
        return new ReportBlock(Ssrc, fraction, (int)Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF), _highestExtended, Jitter, _lastSenderReport, delay);
    }
}
