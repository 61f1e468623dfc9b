using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Recording;
using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// Recording on the SFU with simulated publishers (their payloads are not real codec data, so these tests look at
/// which files exist and when they end, not at what plays): a recording follows the room's tracks and ends with the room.
/// </summary>
public sealed class RoomRecordingSimulationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("switchboard-recording-sim-").FullName;

    [Fact]
    public async Task A_recording_follows_tracks_published_later_and_ends_when_the_last_participant_leaves()
    {
        var harness = new SfuHarness();
        var options = Options.Create(new MediaOptions { Recording = { Directory = _root } });
        var service = new RecordingService(harness.Sfu, options, TimeProvider.System, NullLogger<RecordingService>.Instance);
        var changes = new List<RecordingChange>();
        service.RecordingChanged += changes.Add;

        var ann = harness.Join("ann", PublishSpec.AudioOnly);
        harness.Run(TimeSpan.FromSeconds(1));
        string id = service.Start(SfuHarness.Room, RecordingRequest.Everything).Recording!.Id;
        var ben = harness.Join("ben", PublishSpec.AudioOnly);
        harness.Run(TimeSpan.FromSeconds(2));
        await WaitAsync(() => service.Get(id)!.Files.Count == 2, "a file for each microphone");

        harness.Leave(ann);
        harness.Leave(ben);
        await WaitAsync(() => service.Get(id)!.State == RecordingState.Stopped, "the recording to end with the room");
        Assert.Null(service.ActiveIn(SfuHarness.Room));
        Assert.Equal([true, false], changes.Select(c => c.Active));
        Assert.All(service.Get(id)!.Files, f => Assert.True(f.Bytes > 0 && f.FirstSampleAt is not null, f.ToString()));
    }

    /// <summary>
    /// The best layer is recorded; when it stops the recording goes to the one below at its key frame and back when it
    /// returns, and the publisher's reconnect (new SSRCs, sequence numbers and timestamps) continues the same file: one
    /// timeline without a jump or a hole longer than the switch takes, every frame in order.
    /// </summary>
    [Fact]
    public async Task A_layer_switch_and_a_reconnect_continue_one_timeline_in_the_same_files()
    {
        var harness = new SfuHarness();
        var options = Options.Create(new MediaOptions { Recording = { Directory = _root } });
        var service = new RecordingService(harness.Sfu, options, harness.Clock, NullLogger<RecordingService>.Instance);
        var ann = harness.Join("ann", PublishSpec.AudioAndSimulcast);
        await RunAsync(harness, TimeSpan.FromSeconds(1));
        string id = service.Start(SfuHarness.Room, RecordingRequest.Everything).Recording!.Id;
        long startedAt = harness.NowMillis;

        await RunAsync(harness, TimeSpan.FromSeconds(4));
        // The full-size layer stops; the middle one is paused too (nobody wants it), so the recording goes to the lowest.
        ann.VideoStreams[2].Paused = true;
        int lowRequests = ann.VideoStreams[0].KeyframeRequestsAt.Count;
        await RunAsync(harness, TimeSpan.FromSeconds(4));
        Assert.True(ann.VideoStreams[0].KeyframeRequestsAt.Count > lowRequests, "the recording did not ask the lowest layer for a key frame");
        ann.VideoStreams[2].Paused = false;
        await RunAsync(harness, TimeSpan.FromSeconds(4));
        ann.Reconnect();
        await RunAsync(harness, TimeSpan.FromSeconds(4));
        double recorded = (harness.NowMillis - startedAt) / 1000.0;
        RecordingInfo info = (await service.StopAsync(id))!;

        Assert.Equal(2, info.Files.Count); // no new file for a switch or a reconnect
        foreach (RecordingFile file in info.Files)
        {
            var times = await MediaReaders.PacketTimesAsync(Path.Combine(_root, id, file.Name));
            double largestGap = times.Zip(times.Skip(1), (a, b) => b - a).Max();
            Assert.True(times.Zip(times.Skip(1)).All(pair => pair.Second > pair.First), $"{file.Name}: times go back");
            Assert.InRange(times[^1], recorded - 1.5, recorded + 0.1);
            // The one hole: a layer that stops is noticed within a second (TrackRecorder.LayerCheckMillis), then the next
            // layer's key frame is asked for.
            Assert.True(largestGap < 1.5, $"{file.Name}: a hole of {largestGap:F3} s");
        }
    }

    /// <summary>Runs the simulation in 100 ms steps, letting each recorder write what it was given before going on.</summary>
    private static async Task RunAsync(SfuHarness harness, TimeSpan duration)
    {
        for (var run = TimeSpan.Zero; run < duration; run += TimeSpan.FromMilliseconds(100))
        {
            harness.Run(TimeSpan.FromMilliseconds(100));
            var recorders = harness.Sfu.Room(SfuHarness.Room)?.Participant("ann")?.Published.Values.Select(t => t.Recorder).OfType<TrackRecorder>().ToList() ?? [];
            while (recorders.Any(r => r.Pending > 0)) await Task.Delay(1);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !condition(); await Task.Delay(20))
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"waited 10 s for {what}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
