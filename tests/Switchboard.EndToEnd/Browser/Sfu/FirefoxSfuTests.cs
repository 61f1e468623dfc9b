using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Browser.Firefox;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>
/// The second browser engine against the media server: Firefox ESR (WebDriver BiDi through PuppeteerSharp) in an sfu
/// room with two Chromium participants. Cameras are 320x180 at 15 fps to spare the two cores.
/// </summary>
public sealed class FirefoxSfuTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly string SmallCamera = RoomParticipant.SmallMedia(320, 180);

    [Fact]
    public async Task Firefox_and_two_Chromium_participants_decode_each_others_video_and_receive_each_others_audio()
    {
        var people = new List<RoomParticipant>();
        try
        {
            people.Add(await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "firefox", "Ann", initScript: SmallCamera));
            people.Add(await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "firefox", "Ben", initScript: SmallCamera));
            var fox = await FirefoxParticipant.OpenAsync(app.Server.HttpBase, "firefox", "Fox", initScript: SmallCamera);
            people.Add(fox);
            foreach (var person in people)
            {
                await person.WaitConnectedAsync();
                Assert.Equal("sfu", await person.EvaluateAsync<string>("window.switchboard.room.media"));
            }

            // Firefox's ICE and DTLS handshake with the media server completes: its one peer connection is connected.
            await fox.WaitUntilAsync("window.switchboard.room.pc?.connectionState === 'connected'", "Firefox's peer connection to connect");
            Assert.Equal("connected", await fox.EvaluateAsync<string>("window.switchboard.room.pc.getSenders().find(s => s.track).transport.state"));

            // Everyone decodes the two others' video and receives their audio, Firefox included.
            foreach (var person in people) await SfuExpectations.ExpectAllOthersAsync(person, people, output);

            // What Firefox sends is what the Chromium pages decode: its camera and microphone, growing.
            var foxId = await fox.ParticipantIdAsync();
            var sent = await fox.OutboundAsync();
            output.WriteLine($"Fox sends: {string.Join(", ", sent)}");
            Assert.Contains(sent, s => s.Kind == "video" && s.BytesSent > 0);
            foreach (var person in people.Where(p => p != fox))
            {
                var received = await person.WaitForReceivedMediaAsync(2, 2);
                Assert.Contains(received, s => s.TrackId == $"{foxId}/camera" && s.FramesDecoded > 0 && s.FrameWidth > 0);
                Assert.Contains(received, s => s.TrackId == $"{foxId}/microphone" && s.BytesReceived > 0);
            }
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }
}
