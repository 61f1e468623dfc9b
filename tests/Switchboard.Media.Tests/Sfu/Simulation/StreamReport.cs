using System.Globalization;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>What a test prints when it fails: each stream a participant received, and what its published streams were asked.</summary>
internal static class StreamReport
{
    public static string Describe(this SimulatedParticipant participant) => string.Create(CultureInfo.InvariantCulture,
        $"{participant.Id}: {participant.ConnectionCount} connections, {participant.KeyframeRequestsAt.Count} keyframe requests and {participant.NacksReceived} NACKs received, "
        + $"{participant.PlisSent} PLIs and {participant.NacksSent} NACKs sent; ")
        + string.Join("; ", participant.AllIncoming.Select(Describe));

    public static string Describe(this IncomingStream stream) => string.Create(CultureInfo.InvariantCulture,
        $"{stream.TrackId} {stream.Ssrc:x8}: {stream.Packets} packets ({stream.RtxPackets} RTX, {stream.Duplicates} duplicates), {stream.FramesDecoded} frames "
        + $"({stream.KeyframesDecoded} key) from {stream.FirstFrameAt} to {stream.LastFrameAt} ms, longest freeze {stream.LongestFreezeMillis} ms, "
        + $"{stream.GapsSkipped} gaps skipped, {stream.TimestampRegressions} timestamp regressions, {stream.PictureIdJumps} picture id jumps, "
        + $"layers {string.Join(",", stream.LayerChanges.Select(c => $"{c.Layer}@{c.AtMillis}"))}");
}
