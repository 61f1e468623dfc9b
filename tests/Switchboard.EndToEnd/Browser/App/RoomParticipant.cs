using System.Text.Json;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// One person in the web app, in any browser: the room page's state (<c>window.switchboard</c>) and what a user would
/// see in it, read through JavaScript. <see cref="Participant"/> is a Chromium page, <c>FirefoxParticipant</c> a Firefox one.
/// </summary>
public abstract class RoomParticipant : IAsyncDisposable
{
    /// <summary>
    /// A JavaScript function: the frames a <c>&lt;video&gt;</c> has shown. Firefox's <c>getVideoPlaybackQuality()</c>
    /// counts none for a MediaStream (it stays 0 while the video plays); its <c>mozPaintedFrames</c> counts them.
    /// </summary>
    private const string VideoFrames = "(v => v.getVideoPlaybackQuality().totalVideoFrames || (v.mozPaintedFrames ?? 0))";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(45);
    private readonly List<string> _console = [];

    protected RoomParticipant(string name, Uri url)
    {
        Name = name;
        Url = url;
    }

    public string Name { get; }

    /// <summary>The room page this participant opened.</summary>
    public Uri Url { get; }

    /// <summary>The page's last 40 console messages and errors, each prefixed with the participant's name.</summary>
    public string Console
    {
        get
        {
            lock (_console) return string.Join('\n', _console.TakeLast(40));
        }
    }

    /// <summary>
    /// An init script that asks the fake camera (and the fake screen) for a smaller size and frame rate than the web
    /// app does, to spare the CPU when many pages send video. Chromium's fake device scales down but not up, and one
    /// open device serves every page of the browser: the first page to open it at a size should be the largest. A camera
    /// the page chose (<c>deviceId</c>) stays chosen.
    /// </summary>
    public static string SmallMedia(int width, int height, int frameRate = 15, int screenWidth = 640, int screenHeight = 360, int screenFrameRate = 5) => $$"""
        (() => {
          const devices = navigator.mediaDevices;
          if (!devices) return;
          const getUserMedia = devices.getUserMedia.bind(devices), getDisplayMedia = devices.getDisplayMedia?.bind(devices);
          const chosen = (video) => (typeof video === 'object' && video.deviceId ? { deviceId: video.deviceId } : {});
          devices.getUserMedia = (c = {}) =>
            getUserMedia({ ...c, video: c.video ? { ...chosen(c.video), width: {{width}}, height: {{height}}, frameRate: {{frameRate}} } : c.video });
          if (getDisplayMedia) devices.getDisplayMedia = (c = {}) =>
            getDisplayMedia({ ...c, video: { width: {{screenWidth}}, height: {{screenHeight}}, frameRate: {{screenFrameRate}} } });
        })();
        """;

    /// <summary>
    /// Runs <paramref name="script"/> in the page, an expression or a function to call (awaited when it returns a
    /// promise), and returns its value.
    /// </summary>
    public abstract Task<T> EvaluateAsync<T>(string script);

    /// <summary>Runs <paramref name="script"/> in the page (an expression or a function to call) for what it does.</summary>
    public abstract Task EvaluateAsync(string script);

    public async Task WaitConnectedAsync() =>
        await WaitUntilAsync("window.switchboard?.room.connectionState === 'connected'", "the room to connect");

    public async Task<string> ParticipantIdAsync() => await EvaluateAsync<string>("window.switchboard.room.localParticipant.id");

    /// <summary>Remote tiles: name shown, and frames the <c>&lt;video&gt;</c> has shown so far.</summary>
    public async Task<IReadOnlyList<RemoteTile>> RemoteTilesAsync() =>
        (await EvaluateAsync<JsonElement>($$"""
            () => [...document.querySelectorAll('.tile:not(.local)')].map(t => ({
              id: t.dataset.id,
              name: t.querySelector('.name').textContent,
              frames: {{VideoFrames}}(t.querySelector('video')),
              width: t.querySelector('video').videoWidth,
              muted: !t.querySelector('.muted').hidden,
            }))
            """)).Deserialize<RemoteTile[]>(JsonSerializerOptions.Web)!;

    /// <summary>Waits until <paramref name="count"/> remote videos play (frames decoded, then more frames a moment later).</summary>
    public async Task<IReadOnlyList<RemoteTile>> WaitForPlayingVideosAsync(int count)
    {
        await WaitUntilAsync($"""
            [...document.querySelectorAll('.tile:not(.local) video')].filter(v => {VideoFrames}(v) > 0).length >= {count}
            """, $"{count} remote videos to decode frames");
        var before = await RemoteTilesAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await RemoteTilesAsync();
        foreach (var tile in after)
        {
            var earlier = before.SingleOrDefault(t => t.Id == tile.Id);
            Assert.True(earlier is not null && tile.Frames > earlier.Frames,
                $"{Name}: the video of {tile.Name} is not playing (frames {earlier?.Frames} then {tile.Frames}).\n{Console}");
        }
        Assert.Equal(count, after.Count);
        return after;
    }

    /// <summary>
    /// sfu rooms: what the page's one peer connection receives, from <c>room.pc.getStats()</c>: one entry per inbound
    /// stream that carries a current subscription, with the track id it carries (<c>room.subscriptions</c>).
    /// </summary>
    public async Task<IReadOnlyList<InboundStream>> InboundAsync() =>
        (await EvaluateAsync<JsonElement>("""
            async () => {
              const room = window.switchboard.room;
              if (!room.pc) return [];
              const byTrack = new Map(), byMid = new Map();
              for (const s of room.subscriptions.values()) {
                if (s.track) byTrack.set(s.track.id, s.trackId);
                if (s.transceiver.mid !== null) byMid.set(s.transceiver.mid, s.trackId);
              }
              const out = [];
              (await room.pc.getStats()).forEach(s => {
                if (s.type !== 'inbound-rtp') return;
                const trackId = byTrack.get(s.trackIdentifier) ?? byMid.get(s.mid);
                if (!trackId) return;
                out.push({ trackId, kind: s.kind, framesDecoded: s.framesDecoded ?? 0, bytesReceived: s.bytesReceived ?? 0,
                  frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0, nackCount: s.nackCount ?? 0, pliCount: s.pliCount ?? 0,
                  freezeCount: s.freezeCount ?? 0, packetsLost: s.packetsLost ?? 0, packetsReceived: s.packetsReceived ?? 0,
                  retransmittedPacketsReceived: s.retransmittedPacketsReceived ?? 0 });
              });
              return out;
            }
            """)).Deserialize<InboundStream[]>(JsonSerializerOptions.Web)!;

    /// <summary>
    /// sfu rooms, for failure messages: the SDK's subscriptions (track, mid, directions, whether the track arrived) and the
    /// peer connection's states.
    /// </summary>
    public Task<string> MediaStateAsync() =>
        EvaluateAsync<string>("""
            (() => {
              const room = window.switchboard.room, pc = room.pc;
              if (!pc) return 'no peer connection';
              return JSON.stringify({
                signaling: pc.signalingState, connection: pc.connectionState, ice: pc.iceConnectionState,
                dtls: pc.getTransceivers()[0]?.sender.transport?.state ?? null, sctp: pc.sctp?.state ?? null, negotiating: room._negotiating,
                tracks: [...room.tracks.keys()],
                subscriptions: [...room.subscriptions.values()].map(s => ({ trackId: s.trackId, mid: s.transceiver.mid,
                  direction: s.transceiver.direction, current: s.transceiver.currentDirection, track: s.track?.readyState ?? null,
                  established: s.established })),
                transceivers: pc.getTransceivers().map(t => `${t.mid}:${t.direction}/${t.currentDirection}`),
              });
            })()
            """);

    /// <summary>sfu rooms: what the page sends, one entry per outbound stream (per simulcast layer: <c>rid</c>).</summary>
    public async Task<IReadOnlyList<OutboundStream>> OutboundAsync() =>
        (await EvaluateAsync<JsonElement>("""
            async () => {
              const room = window.switchboard.room;
              if (!room.pc) return [];
              const out = [];
              (await room.pc.getStats()).forEach(s => {
                if (s.type !== 'outbound-rtp') return;
                out.push({ kind: s.kind, mid: s.mid ?? null, rid: s.rid ?? null, active: s.active ?? true, frameWidth: s.frameWidth ?? 0,
                  frameHeight: s.frameHeight ?? 0, framesSent: s.framesSent ?? 0, bytesSent: s.bytesSent ?? 0,
                  qualityLimitationReason: s.qualityLimitationReason ?? null });
              });
              return out;
            }
            """)).Deserialize<OutboundStream[]>(JsonSerializerOptions.Web)!;

    /// <summary>
    /// sfu rooms: waits until the page decodes <paramref name="videos"/> subscribed videos and receives
    /// <paramref name="audios"/> subscribed audio streams, then checks that every one of them keeps growing (frames
    /// decoded, audio bytes) over two more seconds. Returns the later reading.
    /// </summary>
    public async Task<IReadOnlyList<InboundStream>> WaitForReceivedMediaAsync(int videos, int audios)
    {
        IReadOnlyList<InboundStream> first;
        try
        {
            first = await WaitForAsync(InboundAsync,
                s => s.Count(i => i.Kind == "video" && i.FramesDecoded > 0) >= videos && s.Count(i => i.Kind == "audio" && i.BytesReceived > 0) >= audios,
                $"{videos} decoding videos and {audios} audio streams", s => string.Join("\n", s));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{Name}'s media state: {await MediaStateAsync()}");
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await InboundAsync();
        foreach (var stream in first.Where(s => s.Kind == "video" ? s.FramesDecoded > 0 : s.BytesReceived > 0))
        {
            var now = later.SingleOrDefault(s => s.TrackId == stream.TrackId);
            Assert.True(now is not null && (stream.Kind == "video" ? now.FramesDecoded > stream.FramesDecoded : now.BytesReceived > stream.BytesReceived),
                $"{Name}: {stream.TrackId} stopped arriving: {stream} then {now}.\n{Console}");
        }
        Assert.Equal(videos, later.Count(s => s.Kind == "video"));
        Assert.Equal(audios, later.Count(s => s.Kind == "audio"));
        return later;
    }

    /// <summary>Reads <paramref name="read"/> every 500 ms until <paramref name="done"/>; fails with the last reading after the wait limit.</summary>
    public async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, Func<T, string>? describe = null, TimeSpan? limit = null)
    {
        var wait = limit ?? WaitLimit;
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{Name}: waited {wait.TotalSeconds} s for {what}; last: {(describe is null ? value?.ToString() : describe(value))}.\n{Console}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>The events the page's room reported (window.switchboard.events).</summary>
    public async Task<JsonElement[]> EventsAsync() =>
        [.. (await EvaluateAsync<JsonElement>("JSON.parse(JSON.stringify(window.switchboard.events))")).EnumerateArray()];

    /// <summary>
    /// Waits until <paramref name="expression"/> is truthy in the page (every 200 ms); fails after the wait limit with
    /// <paramref name="what"/>, the page's notice and its console.
    /// </summary>
    public async Task WaitUntilAsync(string expression, string what, TimeSpan? limit = null)
    {
        var wait = limit ?? WaitLimit;
        try
        {
            await PollUntilAsync(expression, wait);
        }
        catch (TimeoutException)
        {
            var notice = await EvaluateAsync<string>("document.getElementById('notice')?.textContent ?? ''");
            Assert.Fail($"{Name}: waited {wait.TotalSeconds} s for {what}. Notice: '{notice}'.\n{Console}");
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary><see cref="PageWait"/> in this browser: throws <see cref="TimeoutException"/> after <paramref name="wait"/>.</summary>
    protected abstract Task PollUntilAsync(string expression, TimeSpan wait);

    /// <summary>Keeps one line of the page's console (or an error it threw) for <see cref="Console"/>.</summary>
    protected void AddConsole(string line)
    {
        lock (_console) _console.Add($"{Name} {line}");
    }
}
