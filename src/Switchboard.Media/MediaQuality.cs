using System.Diagnostics.Metrics;

namespace Switchboard.Media;

/// <summary>
/// The media server's call-quality histograms (meter "Switchboard.Media", beside <see cref="MediaMetrics"/>): each round
/// trip and each fraction lost that RTCP reports tell, and each subscriber stream's time to its first video frame.
/// Recorded per RTCP report block or once per stream, never per packet; no labels, so the series stay a fixed set.
/// </summary>
public static class MediaQuality
{
    private static readonly Meter Meter = new(MediaMetrics.MeterName);

    private static readonly Histogram<double> RoundTrips = Meter.CreateHistogram("switchboard.media.round_trip_time", "s",
        "Round-trip times to peers, one per RTCP report block that answers a sender report of the server (RFC 3550 §6.4.1)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2] });

    private static readonly Histogram<double> Losses = Meter.CreateHistogram("switchboard.media.loss_ratio", "1",
        "Fraction of packets lost (0 to 1) that each RTCP report block from a peer tells of a stream the server sends it",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });

    private static readonly Histogram<double> FirstFrames = Meter.CreateHistogram("switchboard.media.first_frame.delay", "s",
        "Time from a subscription to the first keyframe packet forwarded to it (connection set-up included for a new peer), once per video stream",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30] });

    public static void RoundTrip(double millis) => RoundTrips.Record(millis / 1000);

    /// <summary>An RTCP report block's fraction lost, the 8-bit fixed point number of RFC 3550 §6.4.1.</summary>
    public static void FractionLost(byte fraction) => Losses.Record(fraction / 256.0);

    public static void FirstFrame(long millis) => FirstFrames.Record(millis / 1000.0);
}
