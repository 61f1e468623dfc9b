using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Switchboard.Media;

/// <summary>
/// The media server's call-quality histograms (meter "Switchboard.Media", beside <see cref="MediaMetrics"/>): each round
/// trip and each fraction lost that RTCP reports tell, and each subscriber stream's time to its first video frame.
/// Recorded per RTCP report block or once per stream, never per packet; no labels, so the series stay a fixed set.
/// The media threads only queue a value (at most <see cref="MaxQueued"/>; the rest are dropped): a timer thread records
/// them and creates the histograms, so meter listeners' code never runs on a media thread, where it could wait on a
/// collection that waits on media locks.
/// </summary>
public static class MediaQuality
{
    public const int MaxQueued = 10_000;

    private enum Kind { RoundTrip, Loss, FirstFrame }

    private static readonly ConcurrentQueue<(Kind Kind, double Value)> Queued = new();
    private static readonly Lazy<Histogram<double>[]> Histograms = new(Create);
    private static readonly Timer Drain = new(_ => Record(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

    public static void RoundTrip(double millis) => Queue(Kind.RoundTrip, millis / 1000);

    /// <summary>An RTCP report block's fraction lost, the 8-bit fixed point number of RFC 3550 §6.4.1.</summary>
    public static void FractionLost(byte fraction) => Queue(Kind.Loss, fraction / 256.0);

    public static void FirstFrame(long millis) => Queue(Kind.FirstFrame, millis / 1000.0);

    private static void Queue(Kind kind, double value)
    {
        GC.KeepAlive(Drain); // the first value starts the timer (the class's fields are made on first use)
        if (Queued.Count < MaxQueued) Queued.Enqueue((kind, value));
    }

    private static void Record()
    {
        Histogram<double>[] histograms = Histograms.Value;
        while (Queued.TryDequeue(out var measurement)) histograms[(int)measurement.Kind].Record(measurement.Value);
    }

    private static Histogram<double>[] Create()
    {
        var meter = new Meter(MediaMetrics.MeterName);
        return
        [
            meter.CreateHistogram("switchboard.media.round_trip_time", "s",
                "Round-trip times to peers, one per RTCP report block that answers a sender report of the server (RFC 3550 §6.4.1)",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2] }),
            meter.CreateHistogram("switchboard.media.loss_ratio", "1",
                "Fraction of packets lost (0 to 1) that each RTCP report block from a peer tells of a stream the server sends it",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] }),
            meter.CreateHistogram("switchboard.media.first_frame.delay", "s",
                "Time from a subscription to the first keyframe packet forwarded to it (connection set-up included for a new peer), once per video stream",
                advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30] }),
        ];
    }
}
