using System.Collections.Concurrent;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>What the publishers and subscribers of one SFU run share: the settings, the latency histogram, and what went wrong.</summary>
internal sealed class SfuRun(SfuOptions options) : RoomRun(options.Url, options.Room, options.ConnectConcurrency)
{
    public SfuOptions Options { get; } = options;

    /// <summary>Publish-to-subscriber time of media packets (not retransmissions).</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Participant id of each publisher that joined (after the publishers have connected: that connected), to its index.</summary>
    public ConcurrentDictionary<string, int> Publishers { get; } = new();
}

internal sealed record SfuOptions(Uri Url, int Publishers, int Subscribers, string Room, double Duration, double Warmup, double VideoKbps,
    int? ServerPid, int ConnectConcurrency, TimeSpan FirstPacketLimit, string? RecordToken = null, double RecordSettle = 1, string? ChromiumRecorder = null,
    bool Whep = false);
