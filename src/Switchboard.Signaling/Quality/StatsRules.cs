namespace Switchboard.Signaling.Quality;

/// <summary>The ranges a <c>stats</c> message must keep (docs/signaling.md, "Call quality"); the first value out of range is named.</summary>
public static class StatsRules
{
    public const int MaxIntervalMs = 600_000, MaxVideoTracks = 64, MaxTrackIdLength = 80, MaxVideoSize = 16384;
    public const double MaxMs = 60_000, MaxKbps = 10_000_000, MaxFps = 1000;

    static readonly string[] CandidateTypes = ["host", "srflx", "prflx", "relay"];
    static readonly string[] Protocols = ["udp", "tcp"];

    public static string? Problem(StatsMessage stats)
    {
        if (stats.Ms is < 1 or > MaxIntervalMs) return $"ms must be 1 to {MaxIntervalMs}";
        if (stats.Cand is { } cand && !CandidateTypes.Contains(cand)) return $"cand must be one of {string.Join(", ", CandidateTypes)}";
        if (stats.Proto is { } proto && !Protocols.Contains(proto)) return $"proto must be one of {string.Join(", ", Protocols)}";
        var problem = Range(stats.Rtt, MaxMs, "rtt") ?? Range(stats.Aob, MaxKbps, "aob")
            ?? DirectionProblem(stats.In, "in") ?? DirectionProblem(stats.Out, "out");
        if (problem is not null) return problem;
        var video = stats.Video ?? [];
        if (video.Count > MaxVideoTracks) return $"video holds more than {MaxVideoTracks} tracks";
        foreach (var track in video)
        {
            if (track.Track is { Length: 0 or > MaxTrackIdLength }) return $"video: track must be 1-{MaxTrackIdLength} characters";
            problem = Range(track.Fps, MaxFps, "video: fps") ?? Range(track.W, MaxVideoSize, "video: w") ?? Range(track.H, MaxVideoSize, "video: h")
                ?? Range(track.Frz, MaxFps * (stats.Ms / 1000.0), "video: frz") ?? Range(track.FrzMs, stats.Ms, "video: frzMs");
            if (problem is not null) return problem;
        }
        return null;
    }

    static string? DirectionProblem(StatsDirection? direction, string name) =>
        direction is null ? null
        : Range(direction.Kbps, MaxKbps, name + ": kbps") ?? Range(direction.Loss, 1, name + ": loss") ?? Range(direction.Jit, MaxMs, name + ": jit");

    /// <summary>Null when absent or within 0..max; NaN and infinities are out of range.</summary>
    static string? Range(double? value, double max, string name) =>
        value is not { } v || v is >= 0 && v <= max ? null : $"{name} must be 0 to {max}";
}
