using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Interop;

/// <summary>
/// A data channel client that is not a browser: aiortc (Python, Debian python3-aiortc, its own SCTP) joins an SFU room
/// through signaling with an offer of data channels only, and exchanges bus messages with a Chromium participant through
/// the media server: text and binary both ways, a 64 KiB payload that no longer fits aiortc's 64 KiB messages with its
/// frame (so the payload follows the frame), and one larger than aiortc accepts, refused to its Chromium sender.
/// </summary>
public sealed class AiortcDataTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    [Fact]
    public async Task Aiortc_and_chromium_exchange_messages_through_the_media_server()
    {
        using var directory = new TempDirectory("aiortc");
        await using var aiortc = ChildProcess.Start(AiortcFiles.Python, [AiortcFiles.Script("data_peer.py"), directory.Path]);
        string offer = await AiortcFiles.ReadWhenWrittenAsync(directory, "offer.sdp", aiortc);
        Assert.Contains("m=application", offer);

        await using var signaling = await SignalingSocket.JoinAsync(app.Server.HttpBase, "aiortc");
        await signaling.SendAsync(new { type = "media-offer", id = "offer-1", sdp = offer, publish = Array.Empty<object>(), subscribe = Array.Empty<object>() });
        var answer = await signaling.ExpectAsync("media-answer");
        // Written whole, then renamed: the script polls for the name and would otherwise read half an answer.
        string answerPath = Path.Combine(directory.Path, "answer.sdp");
        await File.WriteAllTextAsync(answerPath + ".tmp", answer.GetProperty("sdp").GetString());
        File.Move(answerPath + ".tmp", answerPath);
        await AiortcFiles.ReadWhenWrittenAsync(directory, "open", aiortc);

        await using var chromium = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "aiortc", "Chromium", initScript: Participant.SmallMedia(160, 90, 5));
        await chromium.WaitConnectedAsync();
        await chromium.WaitUntilAsync("window.switchboard.room._data?.reliable.readyState === 'open'", "the bus channel");
        await chromium.EvaluateAsync("""
            (() => {
              window.fromAiortc = [];
              window.notices = [];
              const room = window.switchboard.room;
              room.addEventListener('data', ({ detail }) => window.fromAiortc.push({ from: detail.from?.id, topic: detail.topic, reliable: detail.reliable,
                text: typeof detail.data === 'string' ? detail.data : null, size: typeof detail.data === 'string' ? detail.data.length : detail.data.byteLength }));
              room.addEventListener('error', ({ detail }) => window.notices.push(detail));
            })()
            """);
        string aiortcId = (await chromium.EvaluateAsync<string>("[...window.switchboard.room.participants.keys()].join(',')")).Split(',').Single();

        // Chromium to aiortc: text, a 64 KiB payload (frame and payload no longer fit aiortc's a=max-message-size:65536),
        // and 100 KiB, which aiortc does not take at all: its sender is told.
        byte[] blob = [.. Enumerable.Range(0, 65536).Select(i => (byte)(i * 13))];
        await chromium.EvaluateAsync("""
            (async () => {
              const room = window.switchboard.room;
              await room.sendData('hello aiortc', { topic: 'chat' });
              const blob = new Uint8Array(65536).map((_, i) => (i * 13) & 0xff);
              await room.sendData(blob, { topic: 'blob' });
              await room.sendData(new Uint8Array(100 * 1024), { topic: 'too-big' });
              await room.sendData('', { topic: 'bye' });
            })()
            """);

        // aiortc's messages reach Chromium with aiortc's id as the sender.
        await chromium.WaitUntilAsync("window.fromAiortc.length >= 3", "aiortc's three messages");
        var fromAiortc = JsonDocument.Parse(await chromium.EvaluateAsync<string>("JSON.stringify(window.fromAiortc)")).RootElement.EnumerateArray().ToList();
        Assert.All(fromAiortc, m => Assert.Equal(aiortcId, m.GetProperty("from").GetString()));
        Assert.Equal("hello from aiortc", fromAiortc.Single(m => m.GetProperty("topic").GetString() == "chat").GetProperty("text").GetString());
        Assert.Equal(60000, fromAiortc.Single(m => m.GetProperty("topic").GetString() == "blob").GetProperty("size").GetInt32());
        Assert.False(fromAiortc.Single(m => m.GetProperty("topic").GetString() == "cursor").GetProperty("reliable").GetBoolean());

        // Chromium's messages reach aiortc; the one too large for it is refused to Chromium with the reason.
        Assert.True(await aiortc.WaitForExitAsync(TimeSpan.FromSeconds(30)), "aiortc did not get 'bye':\n" + aiortc.OutputTail());
        var received = (await File.ReadAllLinesAsync(Path.Combine(directory.Path, "received.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        output.WriteLine(string.Join('\n', received.Select(r => r.ToString())));
        string chromiumId = await chromium.ParticipantIdAsync();
        Assert.Equal(["chat", "blob", "bye"], received.Select(r => r.GetProperty("topic").GetString()));
        Assert.All(received, r => Assert.Equal(chromiumId, r.GetProperty("from").GetString()));
        Assert.Equal("hello aiortc", received[0].GetProperty("value").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(blob)), received[1].GetProperty("sha256").GetString());
        await chromium.WaitUntilAsync("window.notices.some(n => n.code === 'message-too-large')", "the notice about the message too large for aiortc");
        string notice = await chromium.EvaluateAsync<string>("window.notices.find(n => n.code === 'message-too-large').message");
        Assert.Equal($"a message of 102400 bytes is larger than {aiortcId} accept", notice);
    }
}
