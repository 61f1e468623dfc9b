using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Browser;
using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.WhipWhep;

/// <summary>
/// Chromium publishing by WHIP from the server's go-live page, /live (only <c>fetch</c> and <c>RTCPeerConnection</c>,
/// simulcast), a participant of the room in the web app, and viewers playing by WHEP from /watch: everyone decodes the
/// publisher's video and audio. The publisher sends 640x360 at 15 fps to spare the two cores.
/// </summary>
public sealed class WhipWhepBrowserTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    /// <summary>The issue asks for 10 viewers; each is a Chromium page decoding video.</summary>
    private const int Viewers = 10;

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    /// <summary>What a WHIP or WHEP page shows: its connection, the frames its video shows, the audio it decodes, its error.</summary>
    private sealed record PageReading(string State, int Frames, int Width, long AudioSamples, string? Error);

    private static async Task<PageReading> ReadAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("""
            async () => {
              const s = window.whipWhep, v = document.getElementById('video');
              let audioSamples = 0;
              if (s.pc) (await s.pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') audioSamples = r.totalSamplesReceived ?? 0; });
              return { state: s.pc?.connectionState ?? 'none', frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth,
                audioSamples, error: s.error };
            }
            """)).Deserialize<PageReading>(JsonSerializerOptions.Web)!;

    /// <summary>Collects the page's Content Security Policy violations in <c>window.cspViolations</c>.</summary>
    private const string ViolationCollector = """
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
        """;

    private async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        await context.AddInitScriptAsync(ViolationCollector);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"{path} console.{message.Type}: {message.Text}");
        await page.GotoAsync(new Uri(app.Server.HttpBase, path).ToString());
        return page;
    }

    private static async Task WaitAsync(IPage page, string expression, string what)
    {
        try
        {
            await page.UntilAsync(expression, WaitLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {WaitLimit.TotalSeconds} s for {what}; the page shows {await ReadAsync(page)}");
        }
    }

    [Fact]
    public async Task A_page_publishes_by_whip_and_a_room_participant_and_whep_viewers_decode_its_video_and_audio()
    {
        const string room = "broadcast";
        var contexts = new List<IBrowserContext>();
        Participant? ann = null;
        try
        {
            // The publisher: one page, fetch and RTCPeerConnection, three simulcast layers offered, with a token in its address.
            var publisherContext = await app.Browser.NewContextAsync();
            contexts.Add(publisherContext);
            await publisherContext.AddInitScriptAsync(RoomParticipant.SmallMedia(640, 360));
            var token = await app.Server.TokenCreateAsync("--identity", "studio", "--room", room);
            var publisher = await OpenAsync(publisherContext, $"live?room={room}&token={token}&simulcast&start");
            await WaitAsync(publisher, "window.whipWhep.pc?.connectionState === 'connected'", "the WHIP publisher to connect");
            Assert.DoesNotContain("token", publisher.Url);

            // The viewers, each its own browser profile, playing by WHEP.
            var viewers = new List<IPage>();
            for (int i = 0; i < Viewers; i++)
            {
                var context = await app.Browser.NewContextAsync();
                contexts.Add(context);
                viewers.Add(await OpenAsync(context, $"watch?room={room}&start"));
            }

            // A participant of the room in the web app sees the publisher join and decodes its video and audio.
            ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Ann", initScript: RoomParticipant.SmallMedia(320, 180));
            await ann.WaitConnectedAsync();
            var annId = await ann.ParticipantIdAsync();
            var received = await ann.WaitForReceivedMediaAsync(1, 1);
            var publisherId = received[0].TrackId.Split('/')[0];
            Assert.NotEqual(annId, publisherId);
            Assert.Equal([$"{publisherId}/camera", $"{publisherId}/microphone"], received.Select(s => s.TrackId).Order());
            // Its tile plays (the viewers are participants too, with tiles and no video).
            var tile = $"document.querySelector('.tile[data-id=\"{publisherId}\"] video')";
            await ann.WaitUntilAsync($"{tile}?.getVideoPlaybackQuality().totalVideoFrames > 0", "the publisher's tile to show frames");
            int before = await ann.EvaluateAsync<int>($"{tile}.getVideoPlaybackQuality().totalVideoFrames");
            await Task.Delay(TimeSpan.FromSeconds(2));
            int after = await ann.EvaluateAsync<int>($"{tile}.getVideoPlaybackQuality().totalVideoFrames");
            output.WriteLine($"Ann: the publisher's tile showed {before} then {after} frames");
            Assert.True(after > before, $"the publisher's tile stopped playing ({before} then {after} frames)");
            Assert.Equal("studio", await ann.EvaluateAsync<string>($"document.querySelector('.tile[data-id=\"{publisherId}\"] .name').textContent"));

            // Every viewer shows the video and decodes the audio, and goes on doing so.
            var first = new List<PageReading>();
            foreach (var viewer in viewers)
            {
                await WaitAsync(viewer, "(() => { const v = document.getElementById('video'); return v.getVideoPlaybackQuality().totalVideoFrames > 0 && v.videoWidth > 0; })()",
                    "a WHEP viewer's video to show frames");
                await WaitAsync(viewer, """
                    async () => { let n = 0; (await window.whipWhep.pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n = r.totalSamplesReceived ?? 0; }); return n > 0; }
                    """, "a WHEP viewer to decode audio");
                first.Add(await ReadAsync(viewer));
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
            for (int i = 0; i < viewers.Count; i++)
            {
                var later = await ReadAsync(viewers[i]);
                output.WriteLine($"viewer {i}: {first[i]} -> {later}");
                Assert.True(later.Frames > first[i].Frames && later.AudioSamples > first[i].AudioSamples, $"viewer {i} stopped playing: {first[i]} then {later}");
            }

            output.WriteLine("publisher sends " + await publisher.EvaluateAsync<string>("""
                async () => { const out = []; (await window.whipWhep.pc.getStats()).forEach(r => { if (r.type === 'outbound-rtp' && r.kind === 'video')
                  out.push(`${r.rid}:${r.frameWidth}x${r.frameHeight} ${r.framesSent} frames ${r.active ? 'active' : 'paused'} ${r.qualityLimitationReason}`); }); return out.join(', '); }
                """));
            output.WriteLine("Ann receives " + string.Join(", ", (await ann.InboundAsync()).Select(s => $"{s.TrackId} {s.FrameWidth}x{s.FrameHeight}")));

            // The REST API counts them.
            using var api = new HttpClient { BaseAddress = app.Server.HttpBase };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
            Assert.Equal(Viewers, (await api.GetFromJsonAsync<JsonElement>($"api/rooms/{room}")).GetProperty("viewers").GetInt32());

            // An ICE restart from the publisher's page (PATCH): ICE connects again with the new credentials, and the viewers go on playing.
            const string transportUfrag = """
                async () => { let u = null; (await window.whipWhep.pc.getStats()).forEach(r => { if (r.type === 'transport') u = `${r.iceLocalUsernameFragment}/${r.iceState}`; }); return u; }
                """;
            var beforeRestart = await publisher.EvaluateAsync<string>(transportUfrag);
            await publisher.EvaluateAsync("window.whipWhep.restartIce()");
            string ufrag = await publisher.EvaluateAsync<string>("window.whipWhep.pc.localDescription.sdp.match(/a=ice-ufrag:(\\S+)/)[1]");
            Assert.DoesNotContain(ufrag, beforeRestart);
            await WaitAsync(publisher, $"async () => ({transportUfrag.Trim()})() .then(u => u === '{ufrag}/connected')", "ICE to connect again after the restart");
            var restarted = viewers.Select(ReadAsync).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2));
            for (int i = 0; i < viewers.Count; i++)
            {
                var (then, now) = (await restarted[i], await ReadAsync(viewers[i]));
                Assert.True(now.Frames > then.Frames, $"viewer {i} stopped playing after the publisher's ICE restart: {then} then {now}");
            }

            // Stop (DELETE): the publisher leaves the room, and Ann sees it go.
            await publisher.ClickAsync("#stop");
            await ann.WaitUntilAsync($"!window.switchboard.room.participants.has('{publisherId}')", "the WHIP publisher to leave");

            // The pages ran under the server's Content Security Policy without a violation.
            foreach (var page in viewers.Prepend(publisher)) Assert.Empty(await page.EvaluateAsync<string[]>("window.cspViolations"));
        }
        finally
        {
            if (ann is not null) await ann.DisposeAsync();
            foreach (var context in contexts) await context.DisposeAsync();
        }
    }
}
