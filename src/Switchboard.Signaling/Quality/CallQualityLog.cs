using Microsoft.Extensions.Options;

namespace Switchboard.Signaling.Quality;

/// <summary>What became of a <c>stats</c> message.</summary>
public enum StatsOutcome { Recorded, TooSoon, Full, Off }

/// <summary>
/// The call-quality timelines of this node (docs/signaling.md, "Call quality"): one per participant that sent
/// <c>stats</c>, kept until <c>RetentionMinutes</c> after it left. Bounded: at most <c>MaxCalls</c> calls (a new one
/// pushes out the call that ended first, or is not kept when none has ended) of at most <c>MaxBucketsPerCall</c> points,
/// and a participant's samples count at most one a second.
/// </summary>
public sealed class CallQualityLog(IOptions<SignalingOptions> options)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>How far around <c>at</c> a call may have been to be listed for it.</summary>
    public static readonly TimeSpan AtTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The most calls a list gives, newest first.</summary>
    public const int MaxListed = 100;

    readonly QualityOptions _options = options.Value.Quality;
    readonly Lock _gate = new();
    readonly Dictionary<string, CallQuality> _calls = new(StringComparer.Ordinal);

    TimeSpan BucketLength => TimeSpan.FromSeconds(_options.BucketSeconds);
    TimeSpan Retention => TimeSpan.FromMinutes(_options.RetentionMinutes);

    public int Count
    {
        get { lock (_gate) return _calls.Count; }
    }

    public StatsOutcome Record(string callId, string room, string identity, StatsMessage stats, DateTimeOffset now)
    {
        if (!_options.Enabled) return StatsOutcome.Off;
        lock (_gate)
        {
            if (_calls.TryGetValue(callId, out var call))
            {
                if (now - call.LastSample < MinInterval) return StatsOutcome.TooSoon;
            }
            else
            {
                if (_calls.Count >= _options.MaxCalls && !TryEvictEnded()) return StatsOutcome.Full;
                call = new CallQuality(callId, room, identity, now, BucketLength, _options.MaxBucketsPerCall);
                _calls[callId] = call;
            }
            call.Add(stats, now);
            return StatsOutcome.Recorded;
        }
    }

    /// <summary>Calls whose participant is gone end now; ended calls older than the retention go.</summary>
    public void Sweep(DateTimeOffset now, Func<string, bool> isLive)
    {
        lock (_gate)
        {
            foreach (var call in _calls.Values.ToList())
            {
                if (call.Ended is null && !isLive(call.Id)) call.Ended = now;
                if (now - call.Ended > Retention) _calls.Remove(call.Id);
            }
        }
    }

    /// <summary>The calls of a room, an identity, or both, that were on within <see cref="AtTolerance"/> of <paramref name="at"/>; newest first.</summary>
    public IReadOnlyList<CallSummary> List(string? room, string? identity, DateTimeOffset? at, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _calls.Values
                .Where(c => (room is null || c.Room == room) && (identity is null || c.Identity == identity)
                    && (at is not { } t || c.Started - AtTolerance <= t && t <= (c.Ended ?? now) + AtTolerance))
                .OrderByDescending(c => c.Started).Take(MaxListed).Select(c => c.Summary()).ToList();
        }
    }

    public CallTimeline? Timeline(string callId)
    {
        lock (_gate) return _calls.TryGetValue(callId, out var call) ? call.Timeline() : null;
    }

    /// <summary>The last summary of a participant of <paramref name="room"/>, while its call is kept.</summary>
    public LiveQuality? Live(string room, string callId)
    {
        lock (_gate) return _calls.TryGetValue(callId, out var call) && call.Room == room ? call.Live() : null;
    }

    bool TryEvictEnded()
    {
        CallQuality? first = null;
        foreach (var call in _calls.Values)
            if (call.Ended is { } ended && (first is null || ended < first.Ended)) first = call;
        if (first is null) return false;
        _calls.Remove(first.Id);
        return true;
    }
}
