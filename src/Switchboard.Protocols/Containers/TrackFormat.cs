namespace Switchboard.Protocols.Containers;

/// <summary>What a track's file holds: codec, RTP clock rate, and for video the first key frame's size (0 when unknown).</summary>
/// <remarks>When the size is unknown the writers read it from the first key frame (VP8, VP9, AV1, H.264).</remarks>
public sealed record TrackFormat(RecordingCodec Codec, int ClockRate, int Channels = 2, int Width = 0, int Height = 0)
{
    public bool IsVideo => Codec != RecordingCodec.Opus;
}
