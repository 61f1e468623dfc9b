using Switchboard.Media.Tests.Support;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>What a simulated participant sends: a microphone, and a camera in one or more simulcast layers (low to high).</summary>
internal sealed record PublishSpec(bool Audio, IReadOnlyList<LayerSpec> Video)
{
    public static readonly PublishSpec Nothing = new(false, []);

    /// <summary>Audio and a camera in three layers, as Chromium sends 720p simulcast (quarter, half, full size).</summary>
    public static readonly PublishSpec AudioAndSimulcast = new(true,
        [new("q", 320, 180, 150_000), new("h", 640, 360, 450_000), new("f", 1280, 720, 1_200_000)]);

    public static readonly PublishSpec AudioOnly = new(true, []);

    public static readonly PublishSpec AudioAndVideo = new(true, [new("", 640, 360, 500_000)]);

    public bool Simulcast => Video.Count > 1;
}
