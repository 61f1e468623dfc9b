using System.Text;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Quality;

namespace Switchboard.Signaling.Tests.Quality;

/// <summary>The <c>stats</c> message (docs/signaling.md, "Call quality"): what it reads into, and every way it is refused.</summary>
public sealed class StatsMessageTests
{
    const string Valid = """
        {"type":"stats","id":"s1","ms":5000,"cand":"relay","proto":"tcp","rtt":41.5,"aob":2400,
         "in":{"kbps":812,"loss":0.012,"jit":3.1},"out":{"kbps":950,"loss":0,"jit":2},
         "video":[{"track":"p_a/camera","fps":29.8,"w":640,"h":360,"frz":1,"frzMs":420}]}
        """;

    [Fact]
    public void A_summary_reads_into_its_record()
    {
        var stats = Assert.IsType<StatsMessage>(ClientMessageReader.Read(Encoding.UTF8.GetBytes(Valid)).Message);
        Assert.Equal((5000, "relay", "tcp", 41.5, 2400.0), (stats.Ms, stats.Cand, stats.Proto, stats.Rtt, stats.Aob));
        Assert.Equal(new StatsDirection(812, 0.012, 3.1), stats.In);
        Assert.Equal(new VideoTrackStats(29.8, "p_a/camera", 640, 360, 1, 420), Assert.Single(stats.Video!));
    }

    [Fact]
    public void Only_the_interval_is_required()
    {
        var stats = Assert.IsType<StatsMessage>(ClientMessageReader.Read("""{"type":"stats","ms":5000}"""u8).Message);
        Assert.Null(stats.Video);
    }

    [Theory]
    [InlineData("""{"type":"stats"}""", "missing field ms")]
    [InlineData("""{"type":"stats","ms":0}""", "ms must be 1 to 600000")]
    [InlineData("""{"type":"stats","ms":-5000}""", "ms must be 1 to 600000")]
    [InlineData("""{"type":"stats","ms":5000.5}""", "field ms has the wrong JSON type or value")]
    [InlineData("""{"type":"stats","ms":"5000"}""", "field ms has the wrong JSON type or value")]
    [InlineData("""{"type":"stats","ms":5000,"cand":"local"}""", "cand must be one of host, srflx, prflx, relay")]
    [InlineData("""{"type":"stats","ms":5000,"proto":"sctp"}""", "proto must be one of udp, tcp")]
    [InlineData("""{"type":"stats","ms":5000,"rtt":-1}""", "rtt must be 0 to 60000")]
    [InlineData("""{"type":"stats","ms":5000,"rtt":1e308}""", "rtt must be 0 to 60000")]
    [InlineData("""{"type":"stats","ms":5000,"rtt":"NaN"}""", "field rtt has the wrong JSON type or value")]
    [InlineData("""{"type":"stats","ms":5000,"aob":1e12}""", "aob must be 0 to 10000000")]
    [InlineData("""{"type":"stats","ms":5000,"in":{"loss":1.5}}""", "in: loss must be 0 to 1")]
    [InlineData("""{"type":"stats","ms":5000,"out":{"jit":-0.1}}""", "out: jit must be 0 to 60000")]
    [InlineData("""{"type":"stats","ms":5000,"in":{"kbps":5,"extra":1}}""", "unknown field in.extra")]
    [InlineData("""{"type":"stats","ms":5000,"memory":"a lot"}""", "unknown field memory")]
    [InlineData("""{"type":"stats","ms":5000,"video":[{"w":640}]}""", "missing field fps")]
    [InlineData("""{"type":"stats","ms":5000,"video":[{"fps":-3}]}""", "video: fps must be 0 to 1000")]
    [InlineData("""{"type":"stats","ms":5000,"video":[{"fps":30,"w":99999}]}""", "video: w must be 0 to 16384")]
    [InlineData("""{"type":"stats","ms":5000,"video":[{"fps":30,"frzMs":6000}]}""", "video: frzMs must be 0 to 5000")]
    [InlineData("""{"type":"stats","ms":1000,"video":[{"fps":30,"frz":2000}]}""", "video: frz must be 0 to 1000")]
    [InlineData("""{"type":"stats","ms":5000,"video":[{"track":"","fps":30}]}""", "video: track must be 1-80 characters")]
    [InlineData("""{"type":"stats","ms":5000,"video":{"fps":30}}""", "field video has the wrong JSON type or value")]
    public void Malformed_and_hostile_summaries_are_refused_with_the_field_named(string frame, string problem)
    {
        var read = ClientMessageReader.Read(Encoding.UTF8.GetBytes(frame));
        Assert.Equal(ErrorCodes.InvalidMessage, read.ErrorCode);
        Assert.Contains(problem, read.ErrorText);
    }

    [Fact]
    public void More_video_tracks_than_the_protocol_allows_are_refused()
    {
        var video = string.Join(',', Enumerable.Repeat("""{"fps":30}""", StatsRules.MaxVideoTracks + 1));
        var read = ClientMessageReader.Read(Encoding.UTF8.GetBytes($$"""{"type":"stats","ms":5000,"video":[{{video}}]}"""));
        Assert.Equal("video holds more than 64 tracks", read.ErrorText);
    }

    [Fact]
    public void Truncated_summaries_are_invalid_json()
    {
        var frame = Encoding.UTF8.GetBytes(Valid);
        for (int length = 1; length < frame.Length - 1; length += 7)
        {
            var read = ClientMessageReader.Read(frame.AsSpan(0, length));
            Assert.Equal(ErrorCodes.InvalidJson, read.ErrorCode);
        }
    }

    [Fact]
    public async Task A_second_summary_within_a_second_is_dropped_as_rate_limited_and_the_first_is_kept()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("quality");
        await alice.SendTextAsync(Valid);
        await alice.SendTextAsync(Valid.Replace("\"s1\"", "\"s2\""));
        var error = await alice.ExpectErrorAsync(ErrorCodes.RateLimited);
        Assert.Equal("s2", error.GetProperty("requestId").GetString());
        var call = Assert.Single(host.Quality.List("quality", null, null, DateTimeOffset.UtcNow));
        Assert.Equal((alice.Id, "relay", "tcp"), (call.CallId, call.Candidate, call.Protocol));
        Assert.Equal(1, host.Quality.Timeline(alice.Id)!.Buckets.Single().Samples);
    }

    [Fact]
    public async Task A_summary_before_joining_is_not_joined()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(host.Endpoint);
        await client.SendTextAsync(Valid);
        await client.ExpectErrorAsync(ErrorCodes.NotJoined);
        Assert.Equal(0, host.Quality.Count);
    }
}
