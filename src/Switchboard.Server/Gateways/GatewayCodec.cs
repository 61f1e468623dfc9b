namespace Switchboard.Server.Gateways;

/// <summary>
/// A codec a gateway's plain RTP carries, with the payload type the server gives it (RFC 3551 dynamic range) and what
/// ffmpeg needs to encode it for a room's WebRTC subscribers.
/// </summary>
public sealed record GatewayCodec(string Name, string Kind, int PayloadType, string Rtpmap, string? Fmtp, string[] FfmpegEncoder)
{
    public static readonly GatewayCodec Vp8 = new("vp8", "video", 96, "VP8/90000", null,
        ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M", "-g", "60", "-error-resilient", "1"]);

    public static readonly GatewayCodec H264 = new("h264", "video", 97, "H264/90000", "packetization-mode=1;profile-level-id=42e01f",
        ["-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "60", "-bsf:v", "h264_mp4toannexb"]);

    public static readonly GatewayCodec Opus = new("opus", "audio", 111, "opus/48000/2", "minptime=10;useinbandfec=1",
        ["-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k"]);

    public static GatewayCodec? Video(string? name) => name?.ToLowerInvariant() switch
    {
        null or "vp8" => Vp8,
        "h264" => H264,
        _ => null,
    };
}
