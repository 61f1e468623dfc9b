namespace Switchboard.Signaling.Quality;

/// <summary>One point of a timeline as the REST API shows it: the averages of its samples, its score and what degraded.</summary>
/// <param name="Fps">The decoded frame rate of the slowest received video track, on average; null without video.</param>
/// <param name="FrozenPercent">Of the received video's time, how much was frozen.</param>
public sealed record QualityBucketView(DateTimeOffset Start, int Samples, double Score, double? RttMs, double? JitterMs, double? LossPercent, double? Fps,
    int Freezes, double? FrozenPercent, double? KbpsIn, double? KbpsOut, string? Candidate, string? Protocol, IReadOnlyList<string> Degraded);

/// <summary>The samples of one stretch of a call (a minute), summed as they come; read as averages.</summary>
sealed class QualityBucket(DateTimeOffset start)
{
    // Mutable structs, so not readonly: a bucket is about 170 bytes.
    Mean _rtt, _jitter, _loss, _fps, _kbpsIn, _kbpsOut;
    int _samples, _freezes;
    double _frozenMs, _videoMs;
    string? _candidate, _protocol;

    public DateTimeOffset Start { get; } = start;

    public void Add(StatsMessage stats)
    {
        _samples++;
        _rtt.Add(stats.Rtt);
        _jitter.Add(Max(stats.In?.Jit, stats.Out?.Jit));
        _loss.Add(Max(stats.In?.Loss, stats.Out?.Loss));
        _kbpsIn.Add(stats.In?.Kbps);
        _kbpsOut.Add(stats.Out?.Kbps);
        if (stats.Video is { Count: > 0 } video)
        {
            _fps.Add(video.Min(v => v.Fps));
            _freezes += video.Sum(v => v.Frz ?? 0);
            _frozenMs += video.Sum(v => v.FrzMs ?? 0);
            _videoMs += (double)stats.Ms * video.Count;
        }
        _candidate = stats.Cand ?? _candidate;
        _protocol = stats.Proto ?? _protocol;
    }

    public QualityMeasures Measures => new(_rtt.Value, _jitter.Value, _loss.Value, _fps.Value, _videoMs > 0 ? Math.Min(1, _frozenMs / _videoMs) : null);

    public QualityBucketView View()
    {
        var m = Measures;
        return new QualityBucketView(Start, _samples, Round(MosEstimate.Score(m), 2), Round(m.RttMs, 1), Round(m.JitterMs, 1), Round(m.Loss * 100, 2),
            Round(m.Fps, 1), _freezes, Round(m.FrozenShare * 100, 1), Round(_kbpsIn.Value, 0), Round(_kbpsOut.Value, 0), _candidate, _protocol,
            MosEstimate.Degradations(m, _freezes));
    }

    static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;

    static double Round(double value, int digits) => Math.Round(value, digits);

    struct Mean
    {
        double _sum;
        int _count;

        public readonly double? Value => _count == 0 ? null : _sum / _count;

        public void Add(double? value)
        {
            if (value is not { } v) return;
            _sum += v;
            _count++;
        }
    }
}
