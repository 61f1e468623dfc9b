using System.Net;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>
/// Simulcast through the media server: a publisher sends its 1280x720 camera in three layers, and a subscriber gets
/// the layer that fits the size its web app shows the video at (the SDK's observeVideo tells the server).
/// </summary>
public sealed class SimulcastTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    /// <summary>Records, every 100 ms, the subscriber's frames decoded and frame width of one track, and the longest stall.</summary>
    private const string Sampler = """
        (trackId) => {
          const room = window.switchboard.room;
          const state = { samples: 0, maxStallMs: 0, stallEndedAtMs: 0, lastFrames: -1, lastChange: 0, widths: [], running: true };
          const start = performance.now();
          const stall = (now) => {
            if (now - state.lastChange <= state.maxStallMs) return;
            state.maxStallMs = now - state.lastChange;
            state.stallEndedAtMs = Math.round(now - start);
          };
          const tick = async () => {
            if (!state.running) return;
            const track = room.subscriptions.get(trackId)?.track;
            let frames = null, width = 0;
            (await room.pc.getStats()).forEach(s => {
              if (s.type === 'inbound-rtp' && track && s.trackIdentifier === track.id) { frames = s.framesDecoded ?? 0; width = s.frameWidth ?? 0; }
            });
            const now = performance.now();
            if (frames !== null) {
              if (state.lastFrames < 0 || frames !== state.lastFrames) {
                if (state.lastFrames >= 0) stall(now);
                state.lastChange = now;
                state.lastFrames = frames;
              } else {
                stall(now);
              }
              if (state.widths[state.widths.length - 1] !== width) state.widths.push(width);
            }
            state.samples++;
            setTimeout(tick, 100);
          };
          tick();
          window.sampler = state;
        }
        """;

    [Fact]
    public async Task A_small_video_gets_the_low_layer_and_the_publisher_pauses_the_layers_nobody_receives()
    {
        await using var call = await SmallCallAsync("simulcast-small");

        // The server's layers message names the one layer someone receives: the SDK pauses the others (encodings' active).
        const string Active = "window.switchboard.room.pc.getSenders().find(s => s.track?.kind === 'video').getParameters().encodings.map(e => e.active).join()";
        try
        {
            await call.Publisher.WaitUntilAsync($"{Active} === 'true,false,false'", "the h and f layers to pause");
        }
        finally
        {
            output.WriteLine($"layers messages: {string.Join(' ', await call.Publisher.Page.EvaluateAsync<string[]>("window.layersMessages"))}");
        }
        var sent = await call.Publisher.OutboundAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await call.Publisher.OutboundAsync();
        output.WriteLine($"publisher then: {await LayersAsync(call.Publisher)}");
        foreach (var rid in new[] { "h", "f" })
            Assert.Equal(sent.Single(l => l.Rid == rid).FramesSent, later.Single(l => l.Rid == rid).FramesSent);
        Assert.True(later.Single(l => l.Rid == "q").FramesSent > sent.Single(l => l.Rid == "q").FramesSent, "the low layer stopped too");
        var received = (await call.Subscriber.WaitForReceivedMediaAsync(1, 1)).Single(s => s.TrackId == call.TrackId);
        Assert.InRange(received.FrameWidth, 1, 320);
    }

    [Fact]
    public async Task A_small_video_gets_the_low_layer_a_large_one_the_high_layer_and_small_again_the_low_one_without_a_stall()
    {
        await using var call = await SmallCallAsync("simulcast");
        var (publisher, subscriber, trackId, tile, low) = (call.Publisher, call.Subscriber, call.TrackId, call.Tile, call.Low);

        // Shown at 1280x720: the server switches to the highest layer the publisher sends, once its bandwidth estimate allows it.
        await subscriber.Page.EvaluateAsync(Sampler, trackId);
        await subscriber.Page.EvaluateAsync($"document.querySelector('{tile}').style.cssText = 'width: 1280px; height: 720px; aspect-ratio: auto; justify-self: start'");
        // Done when the video has had the top layer the publisher sends (layers whose frames sent grow) for six readings in a row.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var history = new List<string>();
        var previousSent = await publisher.OutboundAsync();
        int top = 0, inARow = 0;
        while (DateTime.UtcNow < deadline && inARow < 6)
        {
            await Task.Delay(500);
            var sentNow = await publisher.OutboundAsync();
            top = sentNow.Where(l => l.Kind == "video" && l.Rid is not null && l.FramesSent > (previousSent.SingleOrDefault(p => p.Rid == l.Rid)?.FramesSent ?? 0))
                .Select(l => l.FrameWidth).DefaultIfEmpty(0).Max();
            previousSent = sentNow;
            var width = (await subscriber.InboundAsync()).SingleOrDefault(s => s.TrackId == trackId)?.FrameWidth ?? 0;
            history.Add($"{width}/{top}");
            inARow = width >= top && width > low.FrameWidth ? inARow + 1 : 0;
        }
        output.WriteLine($"received/top width every 500 ms: {string.Join(' ', history)}");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the sampler watches the new layer for a while too
        Assert.True(inARow >= 6, $"the large video did not settle on the publisher's top layer ({top} wide) within 90 s; see the widths above.\n{subscriber.Console}");
        var high = (await subscriber.InboundAsync()).Single(s => s.TrackId == trackId);
        output.WriteLine($"large: {high.FrameWidth}x{high.FrameHeight}; publisher sends {await LayersAsync(publisher)}");

        // Small again: back down to the low layer, which the publisher resumes sending.
        await subscriber.Page.EvaluateAsync($"document.querySelector('{tile}').style.cssText = 'width: 160px; height: 90px; aspect-ratio: auto; justify-self: start'");
        var lowAgain = await subscriber.WaitForAsync(async () => (await subscriber.InboundAsync()).SingleOrDefault(s => s.TrackId == trackId),
            s => s is { FrameWidth: > 0 and <= 320 }, "the low layer again", limit: TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var sampler = await subscriber.Page.EvaluateAsync<JsonElement>("(() => { window.sampler.running = false; return JSON.parse(JSON.stringify(window.sampler)); })()");
        var end = (await subscriber.InboundAsync()).Single(s => s.TrackId == trackId);
        var maxStall = sampler.GetProperty("maxStallMs").GetDouble();
        output.WriteLine($"small again: {lowAgain!.FrameWidth}x{lowAgain.FrameHeight}; publisher sends {await LayersAsync(publisher)}");
        output.WriteLine($"widths seen while switching: {sampler.GetProperty("widths")}; {sampler.GetProperty("samples")} samples, longest stall {maxStall:0} ms " +
                         $"(ended {sampler.GetProperty("stallEndedAtMs").GetDouble():0} ms after sampling began); freezeCount {end.FreezeCount}, " +
                         $"pliCount {end.PliCount}, nackCount {end.NackCount}, packetsLost {end.PacketsLost}, framesDecoded {end.FramesDecoded}");

        Assert.True(high.FrameWidth > low.FrameWidth, $"the large video gets {high.FrameWidth} wide frames, no more than the small one ({low.FrameWidth})");
        Assert.True(maxStall <= 1000, $"frames decoded stalled for {maxStall:0} ms while switching layers");
    }

    [Fact]
    public async Task A_subscriber_on_a_slow_path_gets_the_low_layer_and_the_high_one_once_the_path_is_fast_again()
    {
        await using var proxy = new UdpImpairmentProxy(new IPEndPoint(IPAddress.Loopback, app.Server.MediaUdpPort), dropFraction: 0, seed: 1);
        await using var call = await SmallCallAsync("simulcast-slow", proxy.BrowserScript(app.Server.MediaUdpPort));
        var (subscriber, trackId, tile) = (call.Subscriber, call.TrackId, call.Tile);

        // 400 kbit/s toward the subscriber, with 300 ms of queue, and the video shown at 1280x720: the server may try a
        // higher layer, sees the queue build (transport-wide feedback) and keeps to the low layer.
        proxy.LimitToClient(400_000, TimeSpan.FromMilliseconds(300));
        await subscriber.Page.EvaluateAsync($"document.querySelector('{tile}').style.cssText = 'width: 1280px; height: 720px; aspect-ratio: auto; justify-self: start'");
        var (slowSettled, slowWidths) = await WidthsAsync(subscriber, trackId, w => w is > 0 and <= 320, inARow: 10, TimeSpan.FromSeconds(60));
        var slow = (await subscriber.InboundAsync()).Single(s => s.TrackId == trackId);
        output.WriteLine($"slow path, received width every 500 ms: {string.Join(' ', slowWidths)}; proxy {proxy}");
        output.WriteLine($"slow: {slow.FrameWidth}x{slow.FrameHeight}, nackCount {slow.NackCount}, packetsLost {slow.PacketsLost}, freezeCount {slow.FreezeCount}; " +
                         $"publisher sends {await LayersAsync(call.Publisher)}");
        Assert.True(slowSettled, "on the 400 kbit/s path the video did not keep to the low layer for 5 s within 60 s; see the widths above");

        // The path is fast again: a probe finds out, and the video goes up to the high layer without a stall.
        await subscriber.Page.EvaluateAsync(Sampler, trackId);
        proxy.LimitToClient(0, TimeSpan.Zero);
        var (fastSettled, fastWidths) = await WidthsAsync(subscriber, trackId, w => w >= 1280, inARow: 4, TimeSpan.FromSeconds(60));
        var sampler = await subscriber.Page.EvaluateAsync<JsonElement>("(() => { window.sampler.running = false; return JSON.parse(JSON.stringify(window.sampler)); })()");
        var fast = (await subscriber.InboundAsync()).Single(s => s.TrackId == trackId);
        var maxStall = sampler.GetProperty("maxStallMs").GetDouble();
        output.WriteLine($"fast path, received width every 500 ms: {string.Join(' ', fastWidths)}; longest stall {maxStall:0} ms; " +
                         $"freezeCount {fast.FreezeCount}, nackCount {fast.NackCount}, retransmitted {fast.RetransmittedPacketsReceived}");
        Assert.True(fastSettled, "once the path was fast again the video did not reach the high layer within 60 s; see the widths above");
        Assert.True(maxStall <= 1000, $"frames decoded stalled for {maxStall:0} ms while going up");
    }

    /// <summary>
    /// Reads the width the subscriber decodes every 500 ms until <paramref name="inARow"/> readings in a row satisfy
    /// <paramref name="wanted"/>, or the limit passes; returns whether they did and every width read.
    /// </summary>
    private static async Task<(bool Settled, List<int> Widths)> WidthsAsync(Participant subscriber, string trackId, Func<int, bool> wanted, int inARow, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var widths = new List<int>();
        int satisfied = 0;
        while (satisfied < inARow && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            int width = (await subscriber.InboundAsync()).SingleOrDefault(s => s.TrackId == trackId)?.FrameWidth ?? 0;
            widths.Add(width);
            satisfied = wanted(width) ? satisfied + 1 : 0;
        }
        return (satisfied >= inARow, widths);
    }

    /// <summary>Keeps the layers messages the page receives in window.layersMessages, for the test's output.</summary>
    private const string LayersLog = """
        (() => {
          const RealWebSocket = window.WebSocket;
          window.layersMessages = [];
          window.WebSocket = class extends RealWebSocket {
            constructor(...args) {
              super(...args);
              this.addEventListener('message', (e) => { if (typeof e.data === 'string' && e.data.includes('"type":"layers"')) window.layersMessages.push(e.data); });
            }
          };
        })();
        """;

    /// <summary>
    /// A publisher with a 1280x720 camera and a subscriber whose web app shows its video at 160x90, once that video
    /// arrives in the lowest layer (320x180).
    /// </summary>
    private async Task<Call> SmallCallAsync(string room, string subscriberScript = "")
    {
        // The publisher opens the fake camera first, at 1280x720: later pages get it scaled down from there.
        var publisher = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Pub", initScript: RoomParticipant.SmallMedia(1280, 720) + LayersLog);
        Participant? subscriber = null;
        try
        {
            await publisher.WaitConnectedAsync();
            var camera = await publisher.Page.EvaluateAsync<JsonElement>("(() => { const s = window.switchboard.room.localStream.getVideoTracks()[0].getSettings(); return { width: s.width, height: s.height }; })()");
            Assert.Equal(1280, camera.GetProperty("width").GetInt32());
            subscriber = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Sub", initScript: RoomParticipant.SmallMedia(320, 180) + subscriberScript);
            await subscriber.WaitConnectedAsync();
            var trackId = $"{await publisher.ParticipantIdAsync()}/camera";
            var tile = $".tile[data-id=\"{trackId.Split('/')[0]}\"]";

            // Shown at 160x90: the server forwards the lowest layer (320x180).
            await subscriber.WaitUntilAsync($"document.querySelector('{tile}')", "the publisher's tile");
            await subscriber.Page.EvaluateAsync($"document.querySelector('{tile}').style.cssText = 'width: 160px; height: 90px; aspect-ratio: auto; justify-self: start'");
            var low = await subscriber.WaitForAsync(async () => (await subscriber.InboundAsync()).SingleOrDefault(s => s.TrackId == trackId),
                s => s is { FrameWidth: > 0 and <= 320, FramesDecoded: > 0 }, "the low layer", limit: TimeSpan.FromSeconds(90));
            await subscriber.WaitForReceivedMediaAsync(1, 1);
            output.WriteLine($"small: {low!.FrameWidth}x{low.FrameHeight}; publisher sends {await LayersAsync(publisher)}");
            return new Call(publisher, subscriber, trackId, tile, low);
        }
        catch
        {
            if (subscriber is not null) await subscriber.DisposeAsync();
            await publisher.DisposeAsync();
            throw;
        }
    }

    private sealed record Call(Participant Publisher, Participant Subscriber, string TrackId, string Tile, InboundStream Low) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Subscriber.DisposeAsync();
            await Publisher.DisposeAsync();
        }
    }

    /// <summary>Each simulcast layer the page sends: rid, size, frames, whether the server wants it (encoding active).</summary>
    private static async Task<string> LayersAsync(Participant publisher)
    {
        var sent = await publisher.OutboundAsync();
        var active = await publisher.Page.EvaluateAsync<JsonElement>(
            "window.switchboard.room.pc.getSenders().find(s => s.track?.kind === 'video').getParameters().encodings.map(e => ({ rid: e.rid, active: e.active }))");
        return string.Join(", ", sent.Where(s => s.Rid is not null).OrderBy(s => s.FrameWidth)
                   .Select(s => $"{s.Rid} {s.FrameWidth}x{s.FrameHeight} ({s.FramesSent} frames, {s.QualityLimitationReason})"))
               + $"; encodings {active}";
    }
}
