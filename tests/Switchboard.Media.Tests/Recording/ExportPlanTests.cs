using Switchboard.Media.Contracts;
using Switchboard.Media.Recording.Export;

namespace Switchboard.Media.Tests.Recording;

/// <summary>The ffmpeg commands of exports: every file placed at its first sample's offset on the senders' clock.</summary>
public sealed class ExportPlanTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static RecordingFile File(string participant, string source, string kind, string codec, double startSeconds, double duration) =>
        new($"{participant}-{source}.x", $"{participant}/{source}", participant, source, kind, codec, 1000, duration, T.AddSeconds(startSeconds), 0, 0);

    private static readonly RecordingInfo Recording = new("r1", "room", RecordingState.Stopped, T, T.AddMinutes(1), null,
    [
        File("ann", "microphone", "audio", "opus", 0.25, 60),
        File("ann", "camera", "video", "vp8", 0.5, 59.5),
        File("ann", "screen", "video", "vp8", 10, 5),
        File("ben", "microphone", "audio", "opus", 20, 30),
        File("ben", "camera", "video", "h264", 20.1, 30),
    ]);

    [Fact]
    public void A_participant_export_copies_camera_and_microphone_each_at_its_offset_from_the_earliest()
    {
        var plan = ExportPlan.For(Recording, "/rec", new ExportRequest("participant", "ann"), "e1", out string? problem)!;
        Assert.Null(problem);
        string command = string.Join(' ', plan.Arguments);
        Assert.Contains("-itsoffset 0.25 -i /rec/ann-camera.x -itsoffset 0 -i /rec/ann-microphone.x -map 0:v:0 -map 1:a:0 -c copy /rec/export-e1-ann.webm", command);
        Assert.Equal("export-e1-ann.webm", plan.OutputName);
        Assert.Equal(60, plan.DurationSeconds, 3); // ann's microphone, from 0 to 60 s
    }

    [Fact]
    public void H264_goes_to_matroska_and_an_unknown_participant_is_refused()
    {
        Assert.EndsWith(".mkv", ExportPlan.For(Recording, "/rec", new ExportRequest("participant", "ben"), "e2", out _)!.OutputName);
        Assert.Null(ExportPlan.For(Recording, "/rec", new ExportRequest("participant", "cat"), "e3", out string? problem));
        Assert.Contains("'cat'", problem);
    }

    [Fact]
    public void A_room_export_tiles_every_video_over_black_and_mixes_every_voice_delayed_to_its_place()
    {
        var plan = ExportPlan.For(Recording, "/rec", new ExportRequest("room"), "e4", out _)!;
        string graph = plan.Arguments[plan.Arguments.ToList().IndexOf("-filter_complex") + 1];
        Assert.Contains("color=c=black:s=1280x720", graph);
        Assert.Contains("setpts=PTS-STARTPTS+0.25/TB", graph); // ann's camera, from the earliest file (ann's microphone)
        Assert.Contains("setpts=PTS-STARTPTS+19.85/TB", graph); // ben's camera
        Assert.Contains("overlay=x=640:y=0", graph); // three videos: two columns
        Assert.Contains("adelay=0:all=1", graph);
        Assert.Contains("adelay=19750:all=1", graph);
        Assert.Contains("amix=inputs=2", graph);
        // A layer switch changes a video's picture size: scale follows it, the graph is not rebuilt.
        Assert.Contains("-reinit_filter 0 -i /rec/ann-camera.x -reinit_filter 0 -i /rec/ann-screen.x -reinit_filter 0 -i /rec/ben-camera.x -i /rec/ann-microphone.x",
            string.Join(' ', plan.Arguments));
        Assert.Equal("export-e4-room.mp4", plan.OutputName);
        Assert.Equal(60, plan.DurationSeconds, 3); // ann's microphone, from 0 to 60 s
    }

    [Fact]
    public void An_audio_export_mixes_only_the_voices()
    {
        var plan = ExportPlan.For(Recording, "/rec", new ExportRequest("audio"), "e5", out _)!;
        Assert.DoesNotContain(plan.Arguments, a => a.Contains("camera", StringComparison.Ordinal));
        Assert.Contains("libopus", plan.Arguments);
        Assert.Equal("export-e5-audio.ogg", plan.OutputName);
    }
}
