using Switchboard.Media.Sfu;

namespace Switchboard.Media.Recording;

/// <summary>
/// The publisher's wall clock for a track's streams, from their RTCP sender reports (RFC 3550 §6.4.1: an NTP timestamp
/// and the RTP timestamp of the same instant). Audio and video from one sender share that clock, which is what lets
/// recordings of its tracks be aligned to within a frame. Thread-safe: reports come on the packet path.
/// </summary>
internal sealed class SenderClock
{
    private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly Dictionary<StreamSource, (ulong Ntp, uint Rtp)> _reports = [];

    public void Update(StreamSource source, ulong ntpTimestamp, uint rtpTimestamp)
    {
        lock (_gate) _reports[source] = (ntpTimestamp, rtpTimestamp);
    }

    /// <summary>When the sample with <paramref name="rtpTimestamp"/> of <paramref name="source"/> was captured, once a report for it came.</summary>
    public DateTimeOffset? WallClock(StreamSource source, uint rtpTimestamp, int clockRate)
    {
        (ulong Ntp, uint Rtp) report;
        lock (_gate)
            if (!_reports.TryGetValue(source, out report)) return null;
        double seconds = (report.Ntp >> 32) + (report.Ntp & 0xFFFF_FFFF) / 4294967296.0 + (int)(rtpTimestamp - report.Rtp) / (double)clockRate;
        return NtpEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>
    /// The RTP timestamp <paramref name="to"/> has for the instant <paramref name="from"/>'s <paramref name="rtpTimestamp"/>
    /// was captured (two layers, or two connections, of one sender), once both sent a report.
    /// </summary>
    public uint? Translate(StreamSource from, uint rtpTimestamp, StreamSource to, int clockRate)
    {
        (ulong Ntp, uint Rtp) fromReport, toReport;
        lock (_gate)
            if (!_reports.TryGetValue(from, out fromReport) || !_reports.TryGetValue(to, out toReport)) return null;
        double seconds = (long)(fromReport.Ntp - toReport.Ntp) / 4294967296.0 + (int)(rtpTimestamp - fromReport.Rtp) / (double)clockRate;
        return toReport.Rtp + (uint)(long)Math.Round(seconds * clockRate);
    }
}
