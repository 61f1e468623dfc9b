using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Recording;
using Switchboard.Media.Sfu;
using Switchboard.Media.Transport;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// The recording service without media: refusals (storage short or unwritable, a room recorded twice, recording off),
/// stop, list, delete, a manifest left by a killed server, and which files an export may serve.
/// </summary>
public sealed class RecordingServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("switchboard-recording-").FullName;
    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions { UdpPort = 0, TcpPort = -1 }), NullLogger<MediaTransportHost>.Instance);

    private RecordingService Service(Action<RecordingOptions>? configure = null)
    {
        var options = new MediaOptions { Recording = { Directory = _root } };
        configure?.Invoke(options.Recording);
        var sfu = new SfuService(_host, Options.Create(options), NullLogger<SfuService>.Instance);
        return new RecordingService(sfu, Options.Create(options), TimeProvider.System, NullLogger<RecordingService>.Instance);
    }

    [Fact]
    public void A_disk_with_less_free_space_than_the_floor_refuses_the_start_and_says_which_setting()
    {
        var start = Service(o => o.MinFreeBytes = long.MaxValue).Start("room", RecordingRequest.Everything);
        Assert.Null(start.Recording);
        Assert.Equal(RecordingRefusal.StorageUnavailable, start.Refusal);
        Assert.Contains("Media:Recording:MinFreeBytes", start.Message);
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public void A_directory_that_cannot_be_made_refuses_the_start()
    {
        string file = Path.Combine(_root, "not-a-directory");
        File.WriteAllText(file, "");
        var start = Service(o => o.Directory = file).Start("room", RecordingRequest.Everything);
        Assert.Equal(RecordingRefusal.StorageUnavailable, start.Refusal);
        Assert.Contains("cannot be written", start.Message);
    }

    [Fact]
    public void Recording_turned_off_refuses_and_says_so()
    {
        var start = Service(o => o.Enabled = false).Start("room", RecordingRequest.Everything);
        Assert.Equal(RecordingRefusal.Disabled, start.Refusal);
        Assert.Contains("Media:Recording:Enabled", start.Message);
    }

    [Fact]
    public async Task A_room_is_recorded_once_at_a_time_and_a_stopped_recording_is_listed_then_deleted()
    {
        var service = Service();
        var changes = new List<RecordingChange>();
        service.RecordingChanged += changes.Add;
        RecordingInfo started = service.Start("room", RecordingRequest.Everything).Recording!;
        Assert.Equal(RecordingState.Recording, started.State);
        Assert.Equal(started.Id, service.ActiveIn("room"));
        Assert.Equal(RecordingRefusal.AlreadyRecording, service.Start("room", RecordingRequest.Everything).Refusal);
        Assert.False(service.Delete(started.Id)); // still recording

        RecordingInfo stopped = (await service.StopAsync(started.Id))!;
        Assert.Equal(RecordingState.Stopped, stopped.State);
        Assert.NotNull(stopped.EndedAt);
        Assert.Null(service.ActiveIn("room"));
        Assert.Equal([true, false], changes.Select(c => c.Active));
        Assert.Equal("stopped", JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, started.Id, "manifest.json"))).RootElement.GetProperty("state").GetString());

        // A new service (the server started again) finds it from its manifest.
        var again = Service();
        Assert.Equal(started.Id, Assert.Single(again.List("room")).Id);
        Assert.Empty(again.List("another-room"));
        Assert.True(again.Delete(started.Id));
        Assert.False(Directory.Exists(Path.Combine(_root, started.Id)));
        Assert.Null(again.Get(started.Id));
    }

    [Fact]
    public void A_recording_a_killed_server_left_is_listed_as_stopped_with_the_reason()
    {
        string id = "20261207-120000-0badcafe";
        Directory.CreateDirectory(Path.Combine(_root, id));
        var left = new RecordingInfo(id, "room", RecordingState.Recording, DateTimeOffset.UtcNow, null, null,
            [new RecordingFile("p1-camera.webm", "p1/camera", "p1", "camera", "video", "vp8", 1000, 0, null, 320, 180)]);
        File.WriteAllText(Path.Combine(_root, id, "manifest.json"), JsonSerializer.Serialize(left, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        File.WriteAllText(Path.Combine(_root, id, "p1-camera.webm"), "");

        RecordingInfo info = Service().Get(id)!;
        Assert.Equal(RecordingState.Stopped, info.State);
        Assert.Contains("without finishing", info.Error);
        Assert.EndsWith("p1-camera.webm", Service().FilePath(id, "p1-camera.webm"));
    }

    [Theory]
    [InlineData("../manifest.json")]
    [InlineData("manifest.json")]
    [InlineData("export-../../etc/passwd")]
    [InlineData("unknown.webm")]
    public async Task Only_a_recordings_own_files_and_exports_are_served(string name)
    {
        var service = Service();
        string id = service.Start("room", RecordingRequest.Everything).Recording!.Id;
        await service.StopAsync(id);
        Assert.Null(service.FilePath(id, name));
        Assert.Null(service.FilePath("../" + id, "manifest.json"));
    }

    [Fact]
    public async Task An_export_needs_a_stopped_recording_a_known_kind_and_for_a_participant_its_id()
    {
        var service = Service();
        string id = service.Start("room", RecordingRequest.Everything).Recording!.Id;
        Assert.Null(service.Export(id, new ExportRequest("room"), out string? running));
        Assert.Contains("still running", running);
        await service.StopAsync(id);
        Assert.Null(service.Export(id, new ExportRequest("movie"), out string? kind));
        Assert.Contains("participant, room, audio", kind);
        Assert.Null(service.Export(id, new ExportRequest("participant"), out string? who));
        Assert.Contains("participantId", who);
        Assert.Null(service.Export(id, new ExportRequest("room"), out string? empty));
        Assert.Contains("no file", empty);
    }

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
