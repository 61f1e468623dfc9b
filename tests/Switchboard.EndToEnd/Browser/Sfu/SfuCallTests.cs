using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>Group calls through the SFU from the web app: every participant sends once and sees everyone else's video.</summary>
public sealed class SfuCallTests(SfuAppFixture app) : IClassFixture<SfuAppFixture>
{
    [Fact]
    public async Task Five_participants_each_see_the_other_four_through_one_connection_to_the_media_server()
    {
        var names = new[] { "Ann", "Ben", "Cat", "Dan", "Eve" };
        var people = new List<Participant>();
        try
        {
            foreach (var name in names)
            {
                var person = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "five", name);
                people.Add(person);
                await person.WaitConnectedAsync();
            }
            foreach (var person in people)
            {
                var tiles = await person.WaitForPlayingVideosAsync(4);
                Assert.Equal(names.Where(n => n != person.Name).Order(), tiles.Select(t => t.Name).Order());
                // One peer connection, to the media server, carrying the four others' audio and video.
                var inbound = await person.Page.EvaluateAsync<int[]>("""
                    async () => {
                      const room = window.switchboard.room;
                      const stats = await room.pc.getStats();
                      let audio = 0, video = 0;
                      stats.forEach(s => { if (s.type === 'inbound-rtp' && s.bytesReceived > 0) s.kind === 'audio' ? audio++ : video++; });
                      return [audio, video, [...room.participants.values()].filter(p => p.pc).length];
                    }
                    """);
                Assert.Equal([4, 4, 0], inbound);
            }
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }
}
