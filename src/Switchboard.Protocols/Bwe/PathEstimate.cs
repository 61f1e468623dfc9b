using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Bwe;

/// <summary>
/// What the path from a sender to one receiver carries, as the sender knows it: its own estimate from transport-wide
/// feedback (<see cref="SendSideBandwidthEstimator"/>) or the receiver's REMB, whether the path is congested now, and
/// the probe that learns whether it carries more. Congestion: overuse in the feedback, or a REMB more than 10 % below
/// its recent peak; it lasts <see cref="CongestionMillis"/>. A probe sends each video packet again up to
/// <see cref="MaxProbeCopies"/> times for at most <see cref="ProbeMillis"/>, at most once per
/// <see cref="ProbeIntervalMillis"/>, as much again as the receiver's layers fall short of; an overuse ends it at once.
/// Feedback is refused when it claims more statuses than <see cref="MaxFeedbackStatuses"/> (a run-length chunk claims
/// 8,191 in two bytes) or comes more often than <see cref="MaxFeedbackPerSecond"/> (browsers send 10 to 20 a second), so
/// the work it costs stays bounded whatever a receiver sends. Thread-safe: feedback arrives on the receive path,
/// forwarding reads the probe, the timer reads and starts probes.
/// </summary>
public sealed class PathEstimate
{
    public const int CongestionMillis = 2000, ProbeMillis = 1500, ProbeIntervalMillis = 3000, MaxProbeCopies = 8;

    /// <summary>Statuses one transport-wide feedback may claim: two seconds of packets at 2,000 a second.</summary>
    public const int MaxFeedbackStatuses = 4096;

    public const int MaxFeedbackPerSecond = 50;

    private readonly Lock _gate = new();
    private long _estimate = long.MaxValue, _rembPeak, _congestedUntil;
    private int _probeCopies;
    private long _probeUntil, _nextProbeAt;
    private SentBytes? _lastSent;
    private long _feedbackSecond;
    private int _feedbackThisSecond;

    /// <summary>Numbers what leaves for the receiver and reads its transport-wide feedback.</summary>
    public SendSideBandwidthEstimator SendSide { get; } = new();

    /// <summary>While a probe runs, how many times each video packet is sent again (0: no probe).</summary>
    public int ProbeCopies => Volatile.Read(ref _probeCopies);

    /// <summary>
    /// Transport-wide feedback from the receiver (draft-holmer-rmcat-transport-wide-cc-extensions); false when refused
    /// as implausible (too many statuses) or too frequent.
    /// </summary>
    public bool OnTransportFeedback(in TransportFeedback feedback, long nowMillis)
    {
        if (feedback.PacketStatusCount > MaxFeedbackStatuses) return false;
        lock (_gate)
        {
            if (nowMillis / 1000 != _feedbackSecond) (_feedbackSecond, _feedbackThisSecond) = (nowMillis / 1000, 0);
            if (++_feedbackThisSecond > MaxFeedbackPerSecond) return false;
        }
        bool overuse = SendSide.OnFeedback(feedback, nowMillis);
        lock (_gate)
        {
            _estimate = SendSide.Estimate;
            if (!overuse) return true;
            _congestedUntil = nowMillis + CongestionMillis;
            Volatile.Write(ref _probeCopies, 0); // the path carries no more
        }
        return true;
    }

    /// <summary>
    /// A REMB from the receiver's browser. Its estimator lowers the estimate when it sees queues build and otherwise
    /// raises it slowly, so a fall of more than 10 % below the recent peak is congestion.
    /// </summary>
    public void OnReceiverEstimate(long bitrate, long nowMillis)
    {
        lock (_gate)
        {
            if (bitrate < _rembPeak * 9 / 10) _congestedUntil = nowMillis + CongestionMillis;
            _rembPeak = bitrate >= _rembPeak ? bitrate : Math.Max(bitrate, _rembPeak * 97 / 100);
            _estimate = bitrate;
        }
    }

    /// <summary>Bits per second the path carries (<see cref="long.MaxValue"/>: unknown yet), and whether it is congested now.</summary>
    public (long Estimate, bool Congested) Read(long nowMillis)
    {
        lock (_gate) return (_estimate, nowMillis < _congestedUntil);
    }

    /// <summary>
    /// After the receiver's layers were chosen: <paramref name="shortfall"/> is how far the estimate falls short of the
    /// layers it would go up to, <paramref name="bytesSent"/> what has left for it so far. Ends a probe that ran its
    /// time, and starts one when there is a shortfall, no congestion, and something is being sent to repeat.
    /// </summary>
    public void AfterLayerSelection(long shortfall, long bytesSent, long nowMillis)
    {
        lock (_gate)
        {
            long sentRate = _lastSent is { } last && nowMillis > last.AtMillis ? (bytesSent - last.Bytes) * 8 * 1000 / (nowMillis - last.AtMillis) : 0;
            _lastSent = new SentBytes(bytesSent, nowMillis);
            if (_probeCopies > 0 && nowMillis >= _probeUntil) Volatile.Write(ref _probeCopies, 0);
            if (shortfall <= 0 || nowMillis < _congestedUntil || _probeCopies > 0 || nowMillis < _nextProbeAt || sentRate <= 0) return;
            // Send as much again as the shortfall, over what goes out now.
            int copies = (int)Math.Clamp((shortfall + sentRate - 1) / sentRate, 1, MaxProbeCopies);
            (_probeUntil, _nextProbeAt) = (nowMillis + ProbeMillis, nowMillis + ProbeIntervalMillis);
            Volatile.Write(ref _probeCopies, copies);
        }
    }

    private readonly record struct SentBytes(long Bytes, long AtMillis);
}
