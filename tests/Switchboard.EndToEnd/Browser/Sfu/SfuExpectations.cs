using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>What every participant of an sfu room should see of the others, in whichever browser.</summary>
public static class SfuExpectations
{
    /// <summary>
    /// Every other participant's video decodes and their audio arrives, over the one peer connection to the media
    /// server, and their tiles play with their names. Returns what <paramref name="person"/> receives.
    /// </summary>
    public static async Task<IReadOnlyList<InboundStream>> ExpectAllOthersAsync(RoomParticipant person, IReadOnlyList<RoomParticipant> people, ITestOutputHelper output)
    {
        var others = people.Count - 1;
        var received = await person.WaitForReceivedMediaAsync(others, others);
        var tiles = await person.WaitForPlayingVideosAsync(others);
        Assert.Equal(people.Where(p => p != person).Select(p => p.Name).Order(), tiles.Select(t => t.Name).Order());
        Assert.All(tiles, t => Assert.True(t.Width > 0, $"{person.Name}: {t.Name}'s video has no size"));
        // One peer connection, to the media server: none per participant.
        Assert.Equal(0, await person.EvaluateAsync<int>("[...window.switchboard.room.participants.values()].filter(p => p.pc).length"));
        output.WriteLine($"{person.Name}: " + string.Join(", ", received.Where(s => s.Kind == "video").Select(s => $"{s.TrackId} {s.FrameWidth}x{s.FrameHeight} {s.FramesDecoded} frames")));
        return received;
    }
}
