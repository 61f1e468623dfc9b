namespace Switchboard.Protocols.Containers;

/// <summary>The codecs a recording holds, as received (no transcoding).</summary>
public enum RecordingCodec { Opus, Vp8, Vp9, Av1, H264 }
