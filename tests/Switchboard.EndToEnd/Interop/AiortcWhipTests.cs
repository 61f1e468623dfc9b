using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Interop;

/// <summary>
/// A WHIP encoder that is not a browser: aiortc (Python, Debian python3-aiortc) POSTs its offer to /whip/{room} with a
/// bearer token, publishes a synthetic VP8 video and an Opus tone, and DELETEs its session at the end. A Chromium
/// participant of the room in the web app decodes both, and the REST API lists the encoder among the room's participants.
/// </summary>
public sealed class AiortcWhipTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    [Fact]
    public async Task Aiortc_publishes_by_whip_and_a_chromium_participant_decodes_its_video_and_audio()
    {
        const string room = "aiortc-whip";
        using var directory = new TempDirectory("aiortc-whip");
        string token = await app.Server.TokenCreateAsync("--identity", "encoder", "--room", room);
        await using var aiortc = ChildProcess.Start(AiortcFiles.Python,
            [AiortcFiles.Script("whip_publisher.py"), new Uri(app.Server.HttpBase, $"whip/{room}").ToString(), directory.Path, token]);

        // 201 Created, with the session's Location and ETag; then DTLS comes up.
        var session = JsonDocument.Parse(await AiortcFiles.ReadWhenWrittenAsync(directory, "session.json", aiortc)).RootElement;
        output.WriteLine($"aiortc's POST: {session}");
        Assert.Equal(201, session.GetProperty("status").GetInt32());
        Assert.StartsWith(new Uri(app.Server.HttpBase, $"whip/{room}/").ToString(), session.GetProperty("location").GetString());
        Assert.False(string.IsNullOrEmpty(session.GetProperty("etag").GetString()));
        await AiortcFiles.ReadWhenWrittenAsync(directory, "connected", aiortc);

        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Ann", initScript: RoomParticipant.SmallMedia(160, 90, 5));
        await ann.WaitConnectedAsync();

        // The REST API lists the encoder as a participant of the room, by its token's identity.
        using var api = new HttpClient { BaseAddress = app.Server.HttpBase };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
        var participants = await api.GetFromJsonAsync<JsonElement[]>($"api/rooms/{room}/participants");
        output.WriteLine($"participants: {string.Join(", ", participants!.Select(p => p.ToString()))}");
        var encoder = participants!.Single(p => p.GetProperty("identity").GetString() == "encoder");
        string encoderId = encoder.GetProperty("id").GetString()!;

        // Ann receives the encoder's camera and microphone, and goes on decoding both.
        var received = await ann.WaitForReceivedMediaAsync(1, 1);
        Assert.Equal([$"{encoderId}/camera", $"{encoderId}/microphone"], received.Select(s => s.TrackId).Order());
        var first = await ann.WaitForAsync(async () => (await ann.InboundAsync()).Single(s => s.TrackId == $"{encoderId}/camera"),
            s => s.FramesDecoded > 0, "the encoder's video to decode");
        var later = await ann.WaitForAsync(async () => (await ann.InboundAsync()).Single(s => s.TrackId == $"{encoderId}/camera"),
            s => s.FramesDecoded > first.FramesDecoded + 15, "the encoder's video to keep decoding");
        output.WriteLine($"Ann: the encoder's video {later.FrameWidth}x{later.FrameHeight}, {first.FramesDecoded} then {later.FramesDecoded} frames");
        Assert.Equal((320, 240), (later.FrameWidth, later.FrameHeight));
        var audio = await ann.WaitForAsync(async () => (await ann.InboundAsync()).Single(s => s.TrackId == $"{encoderId}/microphone"),
            s => s.BytesReceived > 0, "the encoder's audio to arrive");
        await ann.WaitForAsync(async () => (await ann.InboundAsync()).Single(s => s.TrackId == $"{encoderId}/microphone"),
            s => s.BytesReceived > audio.BytesReceived + 1000, "the encoder's audio to keep arriving");
        var tile = $"document.querySelector('.tile[data-id=\"{encoderId}\"] video')";
        await ann.WaitUntilAsync($"{tile}?.getVideoPlaybackQuality().totalVideoFrames > 0", "the encoder's tile to show frames");

        // The encoder DELETEs its session: 200, and Ann sees it leave.
        File.WriteAllText(Path.Combine(directory.Path, "stop"), "");
        Assert.Equal("200", await AiortcFiles.ReadWhenWrittenAsync(directory, "deleted", aiortc));
        await ann.WaitUntilAsync($"!window.switchboard.room.participants.has('{encoderId}')", "the encoder to leave");
        Assert.True(await aiortc.WaitForExitAsync(TimeSpan.FromSeconds(30)), "aiortc did not exit:\n" + aiortc.OutputTail());
    }
}
