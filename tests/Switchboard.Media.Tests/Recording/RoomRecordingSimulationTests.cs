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

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !condition(); await Task.Delay(20))
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"waited 10 s for {what}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
