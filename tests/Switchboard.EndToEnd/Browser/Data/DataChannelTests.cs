using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Browser.Firefox;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Browser.Data;

/// <summary>
/// The room's data bus through the media server with Chromium participants and a Firefox one (the web app and its SDK):
/// text and binary messages from empty to 256 KiB, reliable and lossy, to everyone; each reliable message arrives once,
/// in its sender's order, with the bytes it was sent with; 10 MiB files arrive whole; the same for a participant behind
/// 5 % loss.
/// </summary>
public sealed class DataChannelTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly string Audio = Participant.SmallMedia(160, 90, frameRate: 5);

    [Fact]
    public async Task Four_chromium_participants_and_a_firefox_one_exchange_text_and_binary_reliable_and_lossy_and_ten_mebibyte_files()
    {
        var people = new List<RoomParticipant>();
        try
        {
            foreach (var name in new[] { "Ann", "Ben", "Cat", "Dan" })
                people.Add(await OpenAsync("data", name));
            people.Add(await ReadyAsync(await FirefoxParticipant.OpenAsync(app.Server.HttpBase, "data", "Fox", initScript: Audio)));
            await ExchangeAsync(people);
            await SendFileAsync(people[0], people[3]);
            await SendFileAsync(people[4], people[0]);
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_participant_behind_five_percent_loss_gets_every_reliable_message_and_the_file()
    {
        await using var proxy = new UdpImpairmentProxy(new IPEndPoint(IPAddress.Loopback, app.Server.MediaUdpPort), dropFraction: 0.05, seed: 20261207);
        var people = new List<RoomParticipant>();
        try
        {
            people.Add(await OpenAsync("data-loss", "Ann"));
            people.Add(await OpenAsync("data-loss", "Ben"));
            people.Add(await OpenAsync("data-loss", "Lossy", proxy.BrowserScript(app.Server.MediaUdpPort)));
            await ExchangeAsync(people);
            await SendFileAsync(people[0], people[2]);
            output.WriteLine($"proxy: {proxy}");
            Assert.True(proxy.DroppedToServer > 0 && proxy.DroppedToClient > 0, $"the proxy dropped nothing: {proxy}");
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task Chat_goes_over_the_data_channels_and_a_backend_reaches_the_room_through_the_rest_api()
    {
        await using var ann = (Participant)await OpenAsync("data-chat", "Ann");
        await using var ben = (Participant)await OpenAsync("data-chat", "Ben");

        await ann.Page.FillAsync("#chat-input", "hello over SCTP");
        await ann.Page.PressAsync("#chat-input", "Enter");
        await ben.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('Annhello over SCTP')", "Ann's chat line");
        Assert.Contains(await ben.EventsAsync(), e => e.GetProperty("type").GetString() == "data" && e.GetProperty("detail").GetProperty("topic").GetString() == "chat");

        string admin = await app.Server.TokenCreateAsync("--identity", "backend", "--admin");
        using var client = new HttpClient { BaseAddress = app.Server.HttpBase };
        client.DefaultRequestHeaders.Authorization = new("Bearer", admin);
        var response = await client.PostAsJsonAsync("api/rooms/data-chat/data", new { topic = "chat", text = "the backend speaks", to = new[] { await ben.ParticipantIdAsync() } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").GetInt32());
        await ben.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('Serverthe backend speaks')", "the backend's line, from the server");
        await Task.Delay(500);
        Assert.DoesNotContain("the backend speaks", await ann.Page.EvaluateAsync<string>("document.getElementById('chat-log').textContent"));
    }

    /// <summary>
    /// A room where nobody sends or receives media (a whiteboard, a game): the first offer carries only the data
    /// channels, and the tracks a participant adds later come by renegotiation of the same connection.
    /// </summary>
    [Fact]
    public async Task Participants_without_camera_or_microphone_chat_over_the_data_channels_and_a_camera_added_later_arrives()
    {
        const string NoDevices = "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));";
        await using var ann = await ReadyAsync(await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "data-only", "Ann", initScript: NoDevices));
        await using var ben = (Participant)await ReadyAsync(await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "data-only", "Ben", initScript: NoDevices));
        Assert.Equal(0, await ann.EvaluateAsync<int>("window.switchboard.room.pc.getTransceivers().length"));

        await ben.Page.FillAsync("#chat-input", "no camera needed");
        await ben.Page.PressAsync("#chat-input", "Enter");
        await ann.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('Benno camera needed')", "Ben's chat line");
        Assert.Contains(await ann.EventsAsync(), e => e.GetProperty("type").GetString() == "data" && e.GetProperty("detail").GetProperty("topic").GetString() == "chat");

        // Ben publishes a canvas track after all: Ann receives it over the connection that began with data only.
        await ben.EvaluateAsync("""
            (() => {
              const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 90 });
              const context = canvas.getContext('2d');
              let frame = 0;
              setInterval(() => { context.fillStyle = `hsl(${(frame++ * 7) % 360} 80% 50%)`; context.fillRect(0, 0, 160, 90); }, 66);
              return window.switchboard.room.publish(canvas.captureStream(15));
            })()
            """);
        await ann.WaitForReceivedMediaAsync(1, 0);
    }

    private async Task<RoomParticipant> OpenAsync(string room, string name, string extraScript = "") =>
        await ReadyAsync(await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, name, initScript: Audio + extraScript));

    /// <summary>Joined, with both bus channels open, and the probe installed.</summary>
    private static async Task<RoomParticipant> ReadyAsync(RoomParticipant person)
    {
        await person.WaitConnectedAsync();
        await person.WaitUntilAsync("window.switchboard.room._data?.reliable.readyState === 'open' && window.switchboard.room._data?.lossy.readyState === 'open'",
            "both data channels open");
        await person.EvaluateAsync(DataProbe.Script);
        return person;
    }

    /// <summary>
    /// Everyone sends the reliable set to everyone, then (once it arrived: lossy messages to a participant are dropped
    /// while much waits for it) the lossy set, one sender at a time; each checks what it got.
    /// </summary>
    private async Task ExchangeAsync(List<RoomParticipant> people)
    {
        var ids = new Dictionary<RoomParticipant, string>();
        foreach (var person in people) ids[person] = await person.ParticipantIdAsync();
        await Task.WhenAll(people.Select(p => p.EvaluateAsync(DataProbe.Send(2, DataProbe.ReliableSizes, reliable: true))));
        int reliablePerSender = DataProbe.Topics("x", 2, DataProbe.ReliableSizes, true).Count();
        foreach (var person in people)
        {
            int expected = reliablePerSender * (people.Count - 1);
            try
            {
                await person.WaitUntilAsync($"window.dataProbe.received.filter(m => m.topic.endsWith('|reliable')).length >= {expected}",
                    $"{expected} reliable messages at {person.Name}", TimeSpan.FromSeconds(90));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Message}\n{person.Name}'s data state: {await DataStateAsync(person)}\nserver: {await ServerDataCountersAsync()}\n{app.Server.OutputTail(4000)}");
            }
        }
        // One sender after another: lossy messages are never retransmitted, and five bursts at once at a receiver
        // whose browser is short of CPU overflow its socket (a 0-of-16 case once); a lost one is not a fault.
        foreach (var person in people)
        {
            await person.EvaluateAsync(DataProbe.Send(2, DataProbe.LossySizes, reliable: false));
            await Task.Delay(300);
        }
        await Task.Delay(1000); // lossy messages in flight, and late duplicates of anything, would land now

        foreach (var person in people)
        {
            var received = DataProbe.Parse(await person.EvaluateAsync<string>(DataProbe.Received));
            Assert.All(received, m => Assert.True(m.Ok, $"{person.Name} got {m.Topic} with the wrong bytes, type, sender or delivery"));
            foreach (var sender in people.Where(p => p != person))
            {
                var reliable = DataProbe.Topics(ids[sender], 2, DataProbe.ReliableSizes, true).ToList();
                Assert.Equal(reliable, received.Select(m => m.Topic).Where(reliable.Contains).ToList()); // each once, in order
                var lossy = DataProbe.Topics(ids[sender], 2, DataProbe.LossySizes, false).ToList();
                var lossyReceived = received.Select(m => m.Topic).Where(lossy.Contains).ToList();
                Assert.Equal(lossyReceived.Distinct().Count(), lossyReceived.Count);
                output.WriteLine($"{person.Name} from {sender.Name}: {reliable.Count} reliable, {lossyReceived.Count} of {lossy.Count} lossy");
                Assert.NotEmpty(lossyReceived);
            }
            Assert.DoesNotContain(received, m => m.Topic.Contains($"|{ids[person]}|", StringComparison.Ordinal));
        }
    }

    /// <summary>For a failed wait: the page's association and bus channels, and the reliable messages it got from each sender.</summary>
    private static Task<string> DataStateAsync(RoomParticipant person) =>
        person.EvaluateAsync<string>("""
            (async () => {
              const room = window.switchboard.room, pc = room.pc, bus = room._data;
              const perSender = {};
              for (const m of window.dataProbe.received.filter(m => m.topic.endsWith('|reliable'))) {
                const [, sender, n] = m.topic.split('|');
                perSender[sender] = { count: (perSender[sender]?.count ?? 0) + 1, last: Number(n) };
              }
              const channels = [];
              if (pc) (await pc.getStats()).forEach(s => {
                if (s.type === 'data-channel') channels.push(`${s.label}:${s.state} in ${s.messagesReceived}/${s.bytesReceived} B out ${s.messagesSent}/${s.bytesSent} B`);
              });
              return JSON.stringify({ connection: pc?.connectionState ?? null, ice: pc?.iceConnectionState ?? null, sctp: pc?.sctp?.state ?? null,
                reliable: bus ? `${bus.reliable.readyState} buffered ${bus.reliable.bufferedAmount}` : null, perSender, channels });
            })()
            """);

    /// <summary>For a failed wait: the media server's data channel counters from /metrics.</summary>
    private async Task<string> ServerDataCountersAsync()
    {
        using var client = new HttpClient { BaseAddress = app.Server.HttpBase };
        string metrics = await client.GetStringAsync("metrics");
        return string.Join("; ", metrics.Split('\n').Where(line => line.StartsWith("switchboard_media_data", StringComparison.Ordinal)));
    }

    /// <summary>10 MiB in 64 KiB messages from one to another: the SHA-256 the receiver computes is the sender's.</summary>
    private async Task SendFileAsync(RoomParticipant from, RoomParticipant to)
    {
        string target = await to.ParticipantIdAsync();
        var started = DateTime.UtcNow;
        string sent = await from.EvaluateAsync<string>($"window.dataProbe.sendFile('{target}', 10 * 1024 * 1024, 64 * 1024)");
        await to.WaitUntilAsync("window.dataProbe.file !== null", "the whole file", TimeSpan.FromSeconds(120));
        string received = await to.EvaluateAsync<string>("window.dataProbe.file.sha256");
        int size = await to.EvaluateAsync<int>("window.dataProbe.file.size");
        output.WriteLine($"10 MiB from {from.Name} to {to.Name} in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        Assert.Equal((10 * 1024 * 1024, sent), (size, received));
    }
}
