using System.Text;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Tests;

/// <summary>
/// The media messages (docs/signaling.md, "Media through the SFU") at the signaling layer: their validation, and what a
/// server without a media server answers (every room is then a mesh).
/// </summary>
public sealed class MediaMessageTests
{
    [Theory]
    [InlineData("""{"type":"media-offer","sdp":""}""", "sdp is empty")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":[{"mid":"0","source":"webcam"}]}""", "publish: source must be one of microphone, camera, screen, screen-audio")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":[{"mid":"a b","source":"camera"}]}""", "publish: mid must be 1-32 characters without spaces")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":[{"mid":"1","source":"camera","layers":[{"rid":"q"},{"rid":"h"},{"rid":"f"},{"rid":"x"}]}]}""", "publish: at most 3 layers")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":[{"mid":"1","source":"camera","layers":[{"rid":"q;h"}]}]}""", "publish: a layer's rid must be 1-16 letters or digits")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":[{"mid":"1","source":"camera","layers":[{"rid":"q","width":99999}]}]}""", "publish: layer width and height must be 0 to 16384")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","subscribe":[{"mid":"2","trackId":""}]}""", "subscribe: trackId is empty or too long")]
    [InlineData("""{"type":"mute","source":"camera"}""", "missing field muted")]
    [InlineData("""{"type":"mute","source":"face","muted":true}""", "source must be one of microphone, camera, screen, screen-audio")]
    [InlineData("""{"type":"track-settings","trackId":"p_a/camera","width":-1,"height":10}""", "width and height must be 0 to 16384")]
    [InlineData("""{"type":"media-offer","sdp":"v=0","publish":"all"}""", "field publish has the wrong JSON type or value")]
    public void Malformed_media_messages_are_refused_with_the_field_named(string frame, string problem)
    {
        var read = ClientMessageReader.Read(Encoding.UTF8.GetBytes(frame));
        Assert.Equal(ErrorCodes.InvalidMessage, read.ErrorCode);
        Assert.Equal(problem, read.ErrorText);
    }

    [Fact]
    public void Track_settings_without_enabled_leave_the_track_on()
    {
        var read = ClientMessageReader.Read("""{"type":"track-settings","trackId":"p_a/camera","width":320,"height":180}"""u8);
        var settings = Assert.IsType<TrackSettingsMessage>(read.Message);
        Assert.Equal((320, 180, null), (settings.Width, settings.Height, settings.Enabled));
    }

    [Fact]
    public void More_entries_than_the_protocol_allows_are_refused_before_any_use()
    {
        var subscribe = string.Join(',', Enumerable.Range(0, 300).Select(i => $$"""{"mid":"{{i}}","trackId":"p_a/camera"}"""));
        var read = ClientMessageReader.Read(Encoding.UTF8.GetBytes($$"""{"type":"media-offer","sdp":"v=0","subscribe":[{{subscribe}}]}"""));
        Assert.Equal("publish and subscribe hold more than 256 entries", read.ErrorText);
    }

    [Fact]
    public async Task Without_a_media_server_rooms_are_p2p_and_media_messages_get_media_unavailable()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("mesh");
        Assert.Equal("p2p", alice.Joined.GetProperty("media").GetString());
        await alice.SendAsync(new { type = "media-offer", id = "m1", sdp = "v=0" });
        var error = await alice.ExpectErrorAsync(ErrorCodes.MediaUnavailable);
        Assert.Equal("m1", error.GetProperty("requestId").GetString());
        await alice.SendAsync(new { type = "mute", source = "microphone", muted = true });
        await alice.ExpectErrorAsync(ErrorCodes.MediaUnavailable);
        await alice.SendAsync(new { type = "ping" });
        await alice.ExpectAsync("pong");
    }
}
