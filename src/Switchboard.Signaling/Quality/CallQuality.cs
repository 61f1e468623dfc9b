namespace Switchboard.Signaling.Quality;

/// <summary>A call as the REST API lists it: who, where, when, and its score over all its points (mean and worst).</summary>
/// <param name="CallId">The participant's id, which the server never reuses.</param>
public sealed record CallSummary(string CallId, string Room, string Identity, DateTimeOffset Started, DateTimeOffset? Ended, int Buckets, double? Score,
    double? WorstScore, IReadOnlyList<string> Degraded, string? Candidate, string? Protocol);

/// <summary>A call's timeline: a point per <see cref="BucketSeconds"/> that had samples; <see cref="Truncated"/> when the oldest went.</summary>
public sealed record CallTimeline(CallSummary Call, int BucketSeconds, bool Truncated, IReadOnlyList<QualityBucketView> Buckets);

/// <summary>The last summary a participant sent, with the fields as on the wire, and its current point.</summary>
public sealed record LiveQuality(string CallId, string Room, string Identity, DateTimeOffset ReceivedAt, LatestStats Latest, QualityBucketView Current);

public sealed record LatestStats(int Ms, string? Cand, string? Proto, double? Rtt, double? Aob, StatsDirection? In, StatsDirection? Out, IReadOnlyList<VideoTrackStats> Video)
{
    public static LatestStats From(StatsMessage s) => new(s.Ms, s.Cand, s.Proto, s.Rtt, s.Aob, s.In, s.Out, s.Video ?? []);
}

/// <summary>One participant's call: its points, newest last, at most <c>maxBuckets</c>; the caller holds the log's lock.</summary>
sealed class CallQuality(string id, string room, string identity, DateTimeOffset started, TimeSpan bucketLength, int maxBuckets)
{
    readonly List<QualityBucket> _buckets = [];
    StatsMessage? _latest;
    bool _truncated;

    public string Id => id;
    public string Room => room;
    public string Identity => identity;
    public DateTimeOffset Started => started;
    public DateTimeOffset? Ended { get; set; }
    public DateTimeOffset LastSample { get; private set; }

    public void Add(StatsMessage stats, DateTimeOffset now)
    {
        long index = Math.Max(0, (now - started).Ticks / bucketLength.Ticks);
        var start = started + bucketLength * index;
        if (_buckets.Count == 0 || _buckets[^1].Start < start)
        {
            _buckets.Add(new QualityBucket(start));
            if (_buckets.Count > maxBuckets)
            {
                _buckets.RemoveAt(0);
                _truncated = true;
            }
        }
        _buckets[^1].Add(stats);
        _latest = stats;
        LastSample = now;
    }

    public CallSummary Summary() => Summarize(_buckets.Select(b => b.View()).ToList());

    public CallTimeline Timeline()
    {
        var views = _buckets.Select(b => b.View()).ToList();
        return new CallTimeline(Summarize(views), (int)bucketLength.TotalSeconds, _truncated, views);
    }

    public LiveQuality Live() => new(id, room, identity, LastSample, LatestStats.From(_latest!), _buckets[^1].View());

    CallSummary Summarize(List<QualityBucketView> views) => new(id, room, identity, started, Ended, views.Count,
        views.Count == 0 ? null : Math.Round(views.Average(v => v.Score), 2), views.Count == 0 ? null : views.Min(v => v.Score),
        QualityDegradations.All.Where(d => views.Any(v => v.Degraded.Contains(d))).ToList(), views.LastOrDefault()?.Candidate, views.LastOrDefault()?.Protocol);
}
