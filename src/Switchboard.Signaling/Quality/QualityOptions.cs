using Microsoft.Extensions.Options;

namespace Switchboard.Signaling.Quality;

/// <summary>The call-quality timelines, bound from "Signaling:Quality" (docs/signaling.md, "Call quality").</summary>
public sealed class QualityOptions
{
    /// <summary>False: <c>stats</c> messages are read and checked, but nothing is kept.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The length of one point of a timeline (a minute; tests shorten it).</summary>
    public int BucketSeconds { get; set; } = 60;

    /// <summary>How long a call's timeline is kept after the participant left.</summary>
    public int RetentionMinutes { get; set; } = 60;

    /// <summary>Calls kept at once, live or ended; past it the call that ended first goes.</summary>
    public int MaxCalls { get; set; } = 2000;

    /// <summary>Points kept per call; past it the oldest goes (3 hours of minutes).</summary>
    public int MaxBucketsPerCall { get; set; } = 180;
}

/// <summary>Checks the "Signaling:Quality" section at start; each failure names its key.</summary>
public sealed class QualityOptionsValidator : IValidateOptions<SignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, SignalingOptions options)
    {
        var quality = options.Quality;
        var failures = new List<string>();
        void Positive(int value, string key)
        {
            if (value <= 0) failures.Add($"Signaling:Quality:{key} must be greater than 0 (it is {value}).");
        }
        Positive(quality.BucketSeconds, nameof(quality.BucketSeconds));
        Positive(quality.RetentionMinutes, nameof(quality.RetentionMinutes));
        Positive(quality.MaxCalls, nameof(quality.MaxCalls));
        Positive(quality.MaxBucketsPerCall, nameof(quality.MaxBucketsPerCall));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
