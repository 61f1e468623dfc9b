namespace Switchboard.Protocols.Rtp;

/// <summary>The video codecs whose RTP payloads the server looks into (for key frames).</summary>
public enum VideoCodec
{
    Unknown,
    Vp8,
    Vp9,
    H264,
    Av1,
}

/// <summary>Maps an SDP rtpmap encoding name to a <see cref="VideoCodec"/>.</summary>
public static class VideoCodecs
{
    /// <summary>
    /// The codec of an a=rtpmap encoding name, case-insensitively ("AV1X" is AV1's name in older Chromium);
    /// <see cref="VideoCodec.Unknown"/> otherwise.
    /// </summary>
    public static VideoCodec FromEncoding(string encoding) =>
        Is(encoding, "VP8") ? VideoCodec.Vp8
        : Is(encoding, "VP9") ? VideoCodec.Vp9
        : Is(encoding, "H264") ? VideoCodec.H264
        : Is(encoding, "AV1") || Is(encoding, "AV1X") ? VideoCodec.Av1
        : VideoCodec.Unknown;

    static bool Is(string encoding, string name) => string.Equals(encoding, name, StringComparison.OrdinalIgnoreCase);
}
