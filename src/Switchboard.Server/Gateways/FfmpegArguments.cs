using System.Globalization;

namespace Switchboard.Server.Gateways;

/// <summary>The ffmpeg command lines of the gateways: quiet but for warnings, progress on standard output.</summary>
public static class FfmpegArguments
{
    private static readonly string[] Common = ["-hide_banner", "-nostats", "-loglevel", "warning", "-progress", "pipe:1"];

    /// <summary>
    /// Plain RTP from the server, as its SDP file describes it (the formats are known: no long probing), timed by arrival:
    /// ffmpeg would otherwise move every timestamp when the first sender report comes, which RTMP and HLS outputs take as
    /// a jump of hours.
    /// </summary>
    private static readonly string[] RtpInput =
        ["-protocol_whitelist", "file,udp,rtp", "-analyzeduration", "2000000", "-probesize", "2000000", "-use_wallclock_as_timestamps", "1"];

    /// <summary>H.264 at a constant 30 frames a second with a key frame every two seconds, for RTMP (FLV) and HLS.</summary>
    private static readonly string[] H264 =
        ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-fps_mode", "cfr", "-r", "30", "-g", "60"];

    /// <summary>AAC, resampled to the timestamps that arrival gave the audio, so that they never go back.</summary>
    private static readonly string[] Aac = ["-c:a", "aac", "-ar", "48000", "-b:a", "128k", "-af", "aresample=async=1"];

    /// <summary>The video as H.264: as it comes when it is H.264 already (packaged, not transcoded), else encoded.</summary>
    private static string[] Video(bool isH264) => isH264 ? ["-c:v", "copy"] : H264;

    /// <summary>
    /// Listens for one RTMP publisher (OBS, ffmpeg) at <paramref name="listen"/> and sends its video (H.264 as it is, or
    /// VP8 when transcoding) and its audio (as Opus) to the gateway's port.
    /// </summary>
    public static IReadOnlyList<string> RtmpIn(string listen, bool transcode, IReadOnlyList<PlainRtpSdp.Stream> streams, string rtpUrl)
    {
        var arguments = new List<string>(Common) { "-listen", "1", "-i", listen };
        foreach (var stream in streams)
        {
            arguments.AddRange(["-map", stream.Codec.Kind == "video" ? "0:v:0?" : "0:a:0?"]);
            if (stream.Codec.Kind == "video" && !transcode) arguments.AddRange(["-c:v", "copy", "-bsf:v", "h264_mp4toannexb"]);
            else arguments.AddRange(stream.Codec.FfmpegEncoder);
            arguments.AddRange(["-payload_type", Text(stream.Codec.PayloadType), "-ssrc", Text(stream.Ssrc), "-f", "rtp", rtpUrl]);
        }
        return arguments;
    }

    /// <summary>A room's camera and microphone, from <paramref name="sdpFile"/>, restreamed as H.264 and AAC to an RTMP URL.</summary>
    public static IReadOnlyList<string> RtmpOut(string sdpFile, bool isH264, string url) =>
        [.. Common, .. RtpInput, "-i", sdpFile, "-map", "0:v?", "-map", "0:a?", .. Video(isH264), .. Aac, "-f", "flv", url];

    /// <summary>
    /// A room's camera and microphone as HLS in <paramref name="directory"/>: fMP4 segments of about
    /// <paramref name="segmentSeconds"/> (cut at the publisher's key frames when its H.264 is packaged as it comes), a
    /// playlist of the last six, older segments deleted.
    /// </summary>
    public static IReadOnlyList<string> Hls(string sdpFile, bool isH264, string directory, int segmentSeconds) =>
    [
        .. Common, .. RtpInput, "-i", sdpFile, "-map", "0:v?", "-map", "0:a?", .. Video(isH264), .. Aac,
        .. isH264 ? [] : (string[])["-force_key_frames", $"expr:gte(t,n_forced*{Text(segmentSeconds)})"],
        "-f", "hls", "-hls_time", Text(segmentSeconds), "-hls_list_size", "6", "-hls_flags", "delete_segments+independent_segments",
        "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
        "-hls_segment_filename", Path.Combine(directory, "segment-%05d.m4s"), Path.Combine(directory, "index.m3u8"),
    ];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
