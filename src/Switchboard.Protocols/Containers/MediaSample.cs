namespace Switchboard.Protocols.Containers;

/// <summary>One encoded frame: Opus packet; VP8/VP9 frame (VP9 may be a superframe); AV1 temporal unit in the low-overhead
/// bitstream format (OBUs with obu_has_size_field=1, no temporal delimiter); H.264 access unit in Annex B (start codes).
/// Time is from the start of the file (first sample at or near zero), monotonic non-decreasing.</summary>
public readonly record struct MediaSample(ReadOnlyMemory<byte> Data, TimeSpan Time, bool IsKeyframe);
