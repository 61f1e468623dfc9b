using System.Globalization;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// Traces over OTLP/HTTP (docs/tracing.md): the server pointed at a receiver in the test exports a join as one trace
/// (its token check, room store admission, the participant's media offer with the SFU's answer and the offer it relays
/// to another participant), TURN Allocate
/// spans with their results, and ASP.NET Core's span of a REST call.
/// </summary>
public sealed class TracingTests(ITestOutputHelper output)
{
    /// <summary>An offer that publishes one Opus track (the server answers without checking the fingerprint until DTLS).</summary>
    private static readonly string AudioOffer = string.Join("\r\n",
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0", "a=msid-semantic: WMS",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:tRcE", "a=ice-pwd:tracingtestpasswordof24ch", "a=ice-options:trickle",
        "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Range(0, 32).Select(i => (i * 7).ToString("X2", CultureInfo.InvariantCulture))),
        "a=setup:actpass", "a=mid:0", "a=sendonly", "a=msid:- mic", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=ssrc:1001 cname:tracing", "");

    [Fact]
    public async Task A_join_is_one_trace_with_its_steps_and_media_offer_and_turn_allocations_and_rest_calls_are_spans()
    {
        await using var receiver = new OtlpTraceReceiver();
        await using var server = await SwitchboardProcess.StartAsync(
            [$"--Telemetry:Otlp:Endpoint={receiver.Endpoint}", "--Telemetry:Otlp:Protocol=http/protobuf", "--OTEL_BSP_SCHEDULE_DELAY=200"], role: "all");

        // A join with a token, then a media offer on the same participant, and an offer relayed to a second participant.
        var token = await server.TokenCreateAsync("--room", "traced", "--identity", "alice");
        await using (var alice = await SignalingSocket.JoinAsync(server.HttpBase, "traced", token))
        {
            await alice.SendAsync(new { type = "media-offer", sdp = AudioOffer, publish = new[] { new { mid = "0", source = "microphone" } } });
            Assert.Contains("a=fingerprint", (await alice.ExpectAsync("media-answer")).GetProperty("sdp").GetString());
            await using var bob = await SignalingSocket.JoinAsync(server.HttpBase, "traced", await server.TokenCreateAsync("--room", "traced", "--identity", "bob"));
            var bobId = (await alice.ExpectAsync("participant-joined")).GetProperty("participant").GetProperty("id").GetString();
            await alice.SendAsync(new { type = "offer", to = bobId, sdp = AudioOffer });
            Assert.Equal(AudioOffer, (await bob.ExpectAsync("offer")).GetProperty("sdp").GetString());
        }
        // TURN: coturn's client allocates (a 401 challenge first, then success).
        var turn = await TurnUtils.RunUclientAsync(["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password, "-y", "-m", "1", "-n", "5", "-l", "120",
            "-p", server.Port.ToString(CultureInfo.InvariantCulture), server.Host]);
        Assert.True(turn.ExitCode == 0, turn.Describe());
        // A REST call (refused without a key, still a request).
        using (var http = new HttpClient()) await http.GetAsync(new Uri(server.HttpBase, "api/rooms"));

        var spans = await WaitForSpansAsync(receiver, s =>
            s.Any(x => x.Name == "sfu answer") && s.Any(x => x.Name == "relay offer") && s.Any(x => x.Name == "Allocate" && x.Attributes.GetValueOrDefault("turn.result") == "success")
            && s.Any(x => x.Scope == "Microsoft.AspNetCore" && x.Attributes.GetValueOrDefault("url.path") == "/api/rooms"));
        foreach (var span in spans) output.WriteLine(span.ToString());
        Assert.Empty(receiver.Refused);
        var relay = Assert.Single(spans, s => s.Name == "relay offer");

        var join = Assert.Single(spans, s => s.Name == "join" && s.Attributes.GetValueOrDefault("switchboard.participant") == relay.Attributes["switchboard.participant"]);
        Assert.Equal(2, spans.Count(s => s.Name == "join"));
        Assert.Equal("Switchboard.Signaling", join.Scope);
        Assert.Equal("", join.ParentSpanId); // a trace of its own, not the WebSocket request's
        Assert.Equal("traced", join.Attributes["switchboard.room"]);
        var trace = spans.Where(s => s.TraceId == join.TraceId).ToList();
        var check = Assert.Single(trace, s => s.Name == "token check");
        var admit = Assert.Single(trace, s => s.Name == "room store admit");
        var offer = Assert.Single(trace, s => s.Name == "media offer");
        Assert.All([check, admit, offer, relay], s => Assert.Equal(join.SpanId, s.ParentSpanId));
        Assert.Equal("true", check.Attributes["switchboard.token"]);
        Assert.Equal("Admitted", admit.Attributes["switchboard.admission"]);
        var answer = Assert.Single(trace, s => s.Name == "sfu answer");
        Assert.Equal(("Switchboard.Media", offer.SpanId), (answer.Scope, answer.ParentSpanId));

        var allocations = spans.Where(s => s.Name == "Allocate").ToList();
        Assert.All(allocations, s => Assert.Equal("Switchboard.Turn", s.Scope));
        Assert.Contains(allocations, s => s.Attributes.GetValueOrDefault("turn.result") == "challenge" && s.Attributes.GetValueOrDefault("stun.error_code") == "401");
        Assert.Contains(allocations, s => s.Attributes.GetValueOrDefault("turn.result") == "success" && s.Attributes.ContainsKey("turn.relayed_address"));
        // Scrapes of /metrics and /healthz are not traced; the REST call is.
        Assert.DoesNotContain(spans, s => s.Attributes.GetValueOrDefault("url.path") is "/metrics" or "/healthz");

        // docs/tracing.md names every span the servers made, and every attribute they set.
        var doc = await File.ReadAllTextAsync(Path.Combine(RepoLayout.Root, "docs", "tracing.md"));
        foreach (var span in spans.Where(s => s.Scope.StartsWith("Switchboard.", StringComparison.Ordinal)))
        {
            Assert.Contains($"`{span.Name}`", doc);
            foreach (var attribute in span.Attributes.Keys) Assert.True(doc.Contains($"`{attribute}`", StringComparison.Ordinal), $"docs/tracing.md does not name {attribute} of {span.Name}");
        }
    }

    private static async Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(OtlpTraceReceiver receiver, Func<IReadOnlyList<OtlpSpan>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var spans = receiver.Spans;
            if (done(spans)) return spans;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"the spans did not all arrive within 30 s; received:\n{string.Join('\n', spans)}\nrefused: {string.Join(", ", receiver.Refused)}");
            await Task.Delay(200);
        }
    }
}
