namespace Switchboard.Signaling.Quality;

/// <summary>What a stretch of a call measured, averaged over its samples; null where nothing was measured.</summary>
public readonly record struct QualityMeasures(double? RttMs, double? JitterMs, double? Loss, double? Fps, double? FrozenShare);

/// <summary>
/// A MOS-like score of 1 (bad) to 4.5 (the best the E-model gives), from a simplified E-model (ITU-T G.107): effective
/// latency from the round trip and jitter, packet loss, and penalties for frozen and slow video. docs/signaling.md,
/// "Call quality", gives the formula; thresholds name what degraded.
/// </summary>
public static class MosEstimate
{
    public const double LossThreshold = 0.02, RttThresholdMs = 300, JitterThresholdMs = 30, FpsThreshold = 10;

    public static double Score(QualityMeasures m)
    {
        double latency = (m.RttMs ?? 0) / 2 + 2 * (m.JitterMs ?? 0) + 10;
        double r = 93.2 - (latency < 160 ? latency / 40 : (latency - 120) / 10);
        r -= 2.5 * 100 * (m.Loss ?? 0);
        r -= Math.Min(40, 100 * (m.FrozenShare ?? 0));
        if (m.Fps is { } fps && fps < FpsThreshold) r -= 3 * (FpsThreshold - fps);
        r = Math.Clamp(r, 0, 100);
        return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
    }

    /// <summary>What degraded: <c>loss</c>, <c>rtt</c>, <c>jitter</c>, <c>freezes</c>, <c>frame-rate</c>.</summary>
    public static IReadOnlyList<string> Degradations(QualityMeasures m, int freezes)
    {
        var degraded = new List<string>();
        if (m.Loss > LossThreshold) degraded.Add(QualityDegradations.Loss);
        if (m.RttMs > RttThresholdMs) degraded.Add(QualityDegradations.Rtt);
        if (m.JitterMs > JitterThresholdMs) degraded.Add(QualityDegradations.Jitter);
        if (freezes > 0 || m.FrozenShare > 0) degraded.Add(QualityDegradations.Freezes);
        if (m.Fps < FpsThreshold) degraded.Add(QualityDegradations.FrameRate);
        return degraded;
    }
}

/// <summary>The names of what degraded, as the REST API lists them.</summary>
public static class QualityDegradations
{
    public const string Loss = "loss", Rtt = "rtt", Jitter = "jitter", Freezes = "freezes", FrameRate = "frame-rate";
    public static readonly string[] All = [Loss, Rtt, Jitter, Freezes, FrameRate];
}
