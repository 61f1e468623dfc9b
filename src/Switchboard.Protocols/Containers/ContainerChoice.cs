namespace Switchboard.Protocols.Containers;

/// <summary>The file format a track is recorded to. Default: Opus to Ogg, VP8/VP9/AV1 to WebM, H.264 to fragmented MP4.</summary>
public enum ContainerChoice { Default, Matroska, Ogg, Mp4 }
