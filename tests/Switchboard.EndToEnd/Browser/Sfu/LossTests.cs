using System.Net;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>
/// A subscriber behind 5 % datagram loss in each direction (<see cref="UdpImpairmentProxy"/> between it and the media
/// server's UDP port) keeps decoding what two publishers send: NACKs recover the lost packets.
/// </summary>
public sealed class LossTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    [Fact]
    public async Task A_subscriber_behind_five_percent_loss_keeps_decoding_two_publishers_with_nacks()
    {
        await using var proxy = new UdpImpairmentProxy(new IPEndPoint(IPAddress.Loopback, app.Server.MediaUdpPort), dropFraction: 0.05, seed: 20261201);
        var small = RoomParticipant.SmallMedia(320, 180);
        await using var first = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "lossy", "First", initScript: small);
        await using var second = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "lossy", "Second", initScript: small);
        await using var subscriber = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "lossy", "Lossy",
            initScript: small + proxy.BrowserScript(app.Server.MediaUdpPort));
        await subscriber.WaitForReceivedMediaAsync(2, 2);

        // The media really goes through the proxy: the selected pair's remote candidate is the proxy's port, over UDP.
        var remote = await subscriber.Page.EvaluateAsync<string>("""
            async () => {
              const stats = await window.switchboard.room.pc.getStats();
              let out = null;
              stats.forEach(s => {
                if (s.type === 'transport' && s.selectedCandidatePairId) {
                  const c = stats.get(stats.get(s.selectedCandidatePairId).remoteCandidateId);
                  out = `${c.protocol} ${c.address}:${c.port}`;
                }
              });
              return out;
            }
            """);
        Assert.Equal($"udp 127.0.0.1:{proxy.Port}", remote);

        // Ten seconds under loss, read every two seconds: both videos decode more frames in every reading.
        string[] videos = [$"{await first.ParticipantIdAsync()}/camera", $"{await second.ParticipantIdAsync()}/camera"];
        var start = await subscriber.InboundAsync();
        var previous = start;
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var now = await subscriber.InboundAsync();
            foreach (var video in videos)
            {
                var before = previous.Single(s => s.TrackId == video);
                var after = now.Single(s => s.TrackId == video);
                Assert.True(after.FramesDecoded > before.FramesDecoded, $"{video} stopped decoding under loss: {before} then {after}; proxy {proxy}");
            }
            previous = now;
        }

        output.WriteLine($"proxy: {proxy}");
        foreach (var video in videos)
        {
            var end = previous.Single(s => s.TrackId == video);
            var begin = start.Single(s => s.TrackId == video);
            output.WriteLine($"{video}: {end.FrameWidth}x{end.FrameHeight}, framesDecoded {begin.FramesDecoded} -> {end.FramesDecoded}, nackCount {end.NackCount}, " +
                             $"packetsLost {end.PacketsLost} of {end.PacketsReceived} received, retransmitted {end.RetransmittedPacketsReceived}, " +
                             $"pliCount {end.PliCount}, freezeCount {end.FreezeCount}");
            Assert.True(end.NackCount > 0, $"{video}: the subscriber sent no NACK under 5 % loss");
            Assert.True(end.RetransmittedPacketsReceived > 0, $"{video}: nothing was sent again after the NACKs");
            Assert.True(end.FreezeCount <= 5, $"{video}: {end.FreezeCount} freezes under 5 % loss");
        }
        foreach (var audio in previous.Where(s => s.Kind == "audio"))
        {
            output.WriteLine($"{audio.TrackId}: {audio.BytesReceived} bytes, packetsLost {audio.PacketsLost} of {audio.PacketsReceived}");
        }
        Assert.True(proxy.DroppedToServer > 0 && proxy.DroppedToClient > 0, $"the proxy dropped nothing: {proxy}");
        Assert.True(await subscriber.Page.EvaluateAsync<int>("window.rewrittenAnswers ?? 0") > 0);
    }
}
