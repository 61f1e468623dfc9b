using System.Globalization;
using Switchboard.Media.Contracts;

namespace Switchboard.Media.Recording.Export;

/// <summary>
/// The ffmpeg command of an export, from a recording's manifest: every file is placed at its first sample's offset on
/// the senders' wall clock (from the earliest file), which is what keeps lips and voices together.
/// <list type="bullet">
/// <item><c>participant</c>: the participant's camera (else screen) and microphone, copied into one Matroska/WebM file (no transcoding).</item>
/// <item><c>room</c>: a grid of every video over black (a tile stays black while its participant was not there) and every
/// voice mixed, H.264 and AAC in MP4.</item>
/// <item><c>audio</c>: every voice mixed, Opus in Ogg.</item>
/// </list>
/// </summary>
internal sealed record ExportPlan(IReadOnlyList<string> Arguments, string OutputName, double DurationSeconds)
{
    /// <summary>The room export's canvas; its frame rate is WebRTC cameras' usual 30, so that no picture moves by more than 33 ms.</summary>
    public const int CanvasWidth = 1280, CanvasHeight = 720, FramesPerSecond = 30;

    public static ExportPlan? For(RecordingInfo recording, string directory, ExportRequest request, string id, out string? problem)
    {
        problem = null;
        var files = recording.Files.Where(f => f.Bytes > 0 && f.FirstSampleAt is not null).ToList();
        if (request.Kind == "participant")
        {
            files = files.Where(f => f.ParticipantId == request.ParticipantId).ToList();
            if (files.Count == 0)
            {
                problem = $"the recording has no files of participant '{request.ParticipantId}'";
                return null;
            }
        }
        var videos = files.Where(f => f.Kind == "video").ToList();
        var audios = files.Where(f => f.Kind == "audio").ToList();
        if (request.Kind == "audio") videos = [];
        if (videos.Count + audios.Count == 0)
        {
            problem = "the recording has no file to export";
            return null;
        }
        if (request.Kind == "participant")
        {
            videos = videos.Where(f => f.Source == "camera").Concat(videos.Where(f => f.Source != "camera")).Take(1).ToList();
            audios = audios.Where(f => f.Source == "microphone").Concat(audios.Where(f => f.Source != "microphone")).Take(1).ToList();
        }
        var inputs = videos.Concat(audios).ToList();
        DateTimeOffset start = inputs.Min(f => f.FirstSampleAt!.Value);
        double Offset(RecordingFile f) => (f.FirstSampleAt!.Value - start).TotalSeconds;
        double duration = inputs.Max(f => Offset(f) + f.DurationSeconds);

        var arguments = new List<string> { "-y", "-nostdin", "-v", "error", "-progress", "pipe:1", "-nostats" };
        return request.Kind switch
        {
            "participant" => Participant(arguments, inputs, videos.Count, directory, id, Offset, duration),
            "audio" => Mixed(arguments, [], audios, directory, $"export-{id}-audio.ogg", Offset, duration),
            _ => Mixed(arguments, videos, audios, directory, $"export-{id}-room.mp4", Offset, duration),
        };
    }

    private static ExportPlan Participant(List<string> arguments, List<RecordingFile> inputs, int videos, string directory, string id,
        Func<RecordingFile, double> offset, double duration)
    {
        foreach (RecordingFile file in inputs)
            arguments.AddRange(["-itsoffset", Seconds(offset(file)), "-i", Path.Combine(directory, file.Name)]);
        for (int i = 0; i < inputs.Count; i++) arguments.AddRange(["-map", $"{i}:{(i < videos ? "v" : "a")}:0"]);
        // WebM takes VP8, VP9, AV1 and Opus; H.264 goes to Matroska.
        string extension = inputs.Any(f => f.Codec == "h264") ? "mkv" : "webm";
        string output = $"export-{id}-{RoomRecording.SafeName(inputs[0].ParticipantId)}.{extension}";
        arguments.AddRange(["-c", "copy", Path.Combine(directory, output)]);
        return new ExportPlan(arguments, output, duration);
    }

    private static ExportPlan Mixed(List<string> arguments, List<RecordingFile> videos, List<RecordingFile> audios, string directory, string output,
        Func<RecordingFile, double> offset, double duration)
    {
        // A video's picture size changes where the recording switched layers: scale follows it, where ffmpeg would by
        // default rebuild the whole graph and lose its state (the canvas and the voices go wrong from there on).
        foreach (RecordingFile file in videos) arguments.AddRange(["-reinit_filter", "0", "-i", Path.Combine(directory, file.Name)]);
        foreach (RecordingFile file in audios) arguments.AddRange(["-i", Path.Combine(directory, file.Name)]);
        var graph = new List<string>();
        if (videos.Count > 0)
        {
            int columns = (int)Math.Ceiling(Math.Sqrt(videos.Count)), rows = (videos.Count + columns - 1) / columns;
            int tileWidth = CanvasWidth / columns / 2 * 2, tileHeight = CanvasHeight / rows / 2 * 2;
            graph.Add($"color=c=black:s={CanvasWidth}x{CanvasHeight}:r={FramesPerSecond}:d={Seconds(duration)}[grid0]");
            for (int i = 0; i < videos.Count; i++)
            {
                graph.Add($"[{i}:v]setpts=PTS-STARTPTS+{Seconds(offset(videos[i]))}/TB,scale={tileWidth}:{tileHeight}:force_original_aspect_ratio=decrease," +
                    $"pad={tileWidth}:{tileHeight}:(ow-iw)/2:(oh-ih)/2[tile{i}]");
                graph.Add($"[grid{i}][tile{i}]overlay=x={i % columns * tileWidth}:y={i / columns * tileHeight}:eof_action=pass[grid{i + 1}]");
            }
            graph.Add($"[grid{videos.Count}]null[video]");
        }
        for (int i = 0; i < audios.Count; i++)
        {
            long delay = (long)Math.Round(offset(audios[i]) * 1000);
            graph.Add($"[{videos.Count + i}:a]aresample=48000,adelay={delay.ToString(CultureInfo.InvariantCulture)}:all=1[voice{i}]");
        }
        if (audios.Count > 0)
            graph.Add(string.Concat(Enumerable.Range(0, audios.Count).Select(i => $"[voice{i}]")) + $"amix=inputs={audios.Count}:normalize=0:duration=longest[audio]");
        arguments.AddRange(["-filter_complex", string.Join(';', graph)]);
        if (videos.Count > 0) arguments.AddRange(["-map", "[video]", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]);
        if (audios.Count > 0) arguments.AddRange(["-map", "[audio]", "-c:a", videos.Count > 0 ? "aac" : "libopus"]);
        if (videos.Count > 0) arguments.AddRange(["-movflags", "+faststart"]);
        arguments.AddRange(["-t", Seconds(duration), Path.Combine(directory, output)]);
        return new ExportPlan(arguments, output, duration);
    }

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);
}
