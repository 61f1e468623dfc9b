using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.EndToEnd.Api;

namespace Switchboard.EndToEnd.WhipWhep;

/// <summary>The real server with anonymous joins off and one publisher per room, so that a second WHIP publisher finds the room full.</summary>
public sealed class WhipWhepFixture : RestApiFixture
{
    protected override string[] ServerArguments => ["--Media:Sfu:MaxPublishersPerRoom=1"];
}

/// <summary>The real server with ICE consent lapsing after 2 s, so that a client that never connects is soon gone.</summary>
public sealed class ShortConsentFixture : RestApiFixture
{
    protected override string[] ServerArguments => ["--Media:ConsentTimeout=00:00:02"];
}

/// <summary>A WHIP session whose client vanished (it never runs ICE here) ends with its peer connection: its participant leaves the room.</summary>
public sealed class WhipWhepLifetimeTests(ShortConsentFixture api) : IClassFixture<ShortConsentFixture>
{
    [Fact]
    public async Task A_session_whose_peer_connection_ends_leaves_the_room()
    {
        using var client = api.Client();
        var offer = new StringContent(WhipWhepProtocolTests.Offer("sendonly"), System.Text.Encoding.UTF8);
        offer.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.TokenCreateAsync("--identity", "gone", "--room", "whip-gone"));
        var created = await client.PostAsync("whip/whip-gone", offer);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var admin = api.Client(api.AdminToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await admin.GetAsync("api/rooms/whip-gone/participants")).StatusCode != HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, "the participant of a WHIP session whose connection ended is still in the room after 30 s");
            await Task.Delay(500);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync(created.Headers.Location!.ToString().TrimStart('/'))).StatusCode);
    }
}

/// <summary>
/// WHIP (RFC 9725) and WHEP over HTTP without a browser, one status code at a time: offers written as Chromium writes
/// them, the room's participants read through the REST API.
/// </summary>
public sealed class WhipWhepProtocolTests(WhipWhepFixture api) : IClassFixture<WhipWhepFixture>
{
    private const string Fragment = "application/trickle-ice-sdpfrag";

    /// <summary>An offer like Chromium's: one audio and one video section (Opus, VP8 with RTX), bundled, in <paramref name="direction"/>.</summary>
    internal static string Offer(string direction, string ufrag = "Wq7f", string password = "ZmFrZS1pY2UtcGFzc3dvcmQtMDEy") => string.Join("\r\n",
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", $"a=ice-ufrag:{ufrag}", $"a=ice-pwd:{password}",
        "a=ice-options:trickle", $"a=fingerprint:sha-256 {Fingerprint}", "a=setup:actpass", "a=mid:0",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", $"a={direction}", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1", "a=ssrc:1001 cname:whip",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", $"a=ice-ufrag:{ufrag}", $"a=ice-pwd:{password}",
        "a=ice-options:trickle", $"a=fingerprint:sha-256 {Fingerprint}", "a=setup:actpass", "a=mid:1",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", $"a={direction}", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
        "a=ssrc-group:FID 2001 2002", "a=ssrc:2001 cname:whip", "a=ssrc:2002 cname:whip", "");

    private static readonly string Fingerprint = string.Join(':', Enumerable.Range(0, 32).Select(i => (i * 7 + 3).ToString("X2")));

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string contentType = "application/sdp", string? token = null,
        string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using var client = api.Client();
        return await client.SendAsync(request);
    }

    /// <summary>Asserts the status and a text/plain body that says something; returns the text.</summary>
    private static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(text.Trim().Length > 10, $"the error says too little: '{text}'");
        return text;
    }

    private Task<string> TokenAsync(string identity, string room, string? grants = null) =>
        grants is null ? api.TokenCreateAsync("--identity", identity, "--room", room) : api.TokenCreateAsync("--identity", identity, "--room", room, "--grants", grants);

    private async Task<JsonElement[]> ParticipantsAsync(string room)
    {
        using var admin = api.Client(api.AdminToken);
        var response = await admin.GetAsync($"api/rooms/{room}/participants");
        return response.StatusCode == HttpStatusCode.NotFound ? [] : [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    private async Task<HttpResponseMessage> PublishAsync(string room, string token)
    {
        var response = await SendAsync(Request(HttpMethod.Post, $"/whip/{room}", Offer("sendonly"), token: token));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"WHIP: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    [Fact]
    public async Task A_whip_offer_gets_201_with_its_answer_location_etag_and_ice_servers_and_delete_leaves_the_room()
    {
        var response = await PublishAsync("whip-created", await TokenAsync("encoder", "whip-created"));

        Assert.Equal("application/sdp", response.Content.Headers.ContentType?.MediaType);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("v=0", answer);
        Assert.Contains("a=ice-lite", answer);
        Assert.Equal(2, answer.Split("a=recvonly").Length - 1); // the server receives both sections
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("/whip/whip-created/", location);
        Assert.Matches("^\"[^\"]+\"$", response.Headers.ETag!.Tag);
        Assert.Equal(Fragment, response.Headers.GetValues("Accept-Patch").Single());
        var links = response.Headers.GetValues("Link").ToList();
        Assert.Contains(links, l => l.StartsWith("<stun:127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("rel=\"ice-server\"", StringComparison.Ordinal));
        Assert.Contains(links, l => l.StartsWith("<turn:127.0.0.1:", StringComparison.Ordinal) && l.Contains("rel=\"ice-server\"")
            && l.Contains(":encoder\"") && l.Contains("credential=\"") && l.Contains("credential-type=\"password\""));
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        foreach (var header in new[] { "Location", "ETag", "Link" }) Assert.Contains(header, exposed);

        // A participant of the room like any other, until DELETE.
        Assert.Contains(await ParticipantsAsync("whip-created"), p => p.GetProperty("identity").GetString() == "encoder");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Request(HttpMethod.Delete, location))).StatusCode);
        Assert.DoesNotContain(await ParticipantsAsync("whip-created"), p => p.GetProperty("identity").GetString() == "encoder");
        await ErrorAsync(await SendAsync(Request(HttpMethod.Delete, location)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_offers_get_a_clear_4xx_and_leave_nobody_in_the_room()
    {
        var token = await TokenAsync("encoder", "whip-bad");
        Assert.Contains("application/sdp", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", Offer("sendonly"), "text/plain", token)),
            HttpStatusCode.UnsupportedMediaType));
        await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", new string('a', 70_000), token: token)), HttpStatusCode.RequestEntityTooLarge);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", "", token: token)), HttpStatusCode.BadRequest);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", "hello, I am not SDP\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n", token: token)),
            HttpStatusCode.BadRequest);
        Assert.Contains("sends no audio or video", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", Offer("recvonly"), token: token)),
            HttpStatusCode.BadRequest));
        Assert.Contains("receives no audio or video", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whep/whip-bad", Offer("sendonly"), token: token)),
            HttpStatusCode.BadRequest));
        await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-bad", Offer("sendonly").Replace("a=fingerprint", "a=nofingerprint"), token: token)),
            HttpStatusCode.BadRequest);
        Assert.Empty(await ParticipantsAsync("whip-bad"));
    }

    [Fact]
    public async Task Tokens_must_admit_to_the_room_with_the_publish_or_subscribe_grant()
    {
        var missing = await SendAsync(Request(HttpMethod.Post, "/whip/whip-tokens", Offer("sendonly")));
        await ErrorAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        var forged = await SendAsync(Request(HttpMethod.Post, "/whip/whip-tokens", Offer("sendonly"), token: "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"));
        await ErrorAsync(forged, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", forged.Headers.WwwAuthenticate.ToString());
        Assert.Contains("admits to room", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-tokens", Offer("sendonly"),
            token: await TokenAsync("encoder", "elsewhere"))), HttpStatusCode.Forbidden));
        Assert.Contains("publish", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whip/whip-tokens", Offer("sendonly"),
            token: await TokenAsync("viewer", "whip-tokens", "join,subscribe"))), HttpStatusCode.Forbidden));
        Assert.Contains("subscribe", await ErrorAsync(await SendAsync(Request(HttpMethod.Post, "/whep/whip-tokens", Offer("recvonly"),
            token: await TokenAsync("encoder", "whip-tokens", "join,publish"))), HttpStatusCode.Forbidden));
        Assert.Empty(await ParticipantsAsync("whip-tokens"));
    }

    [Fact]
    public async Task Patch_takes_trickled_candidates_and_ice_restarts_under_if_match()
    {
        var created = await PublishAsync("whip-patch", await TokenAsync("encoder", "whip-patch"));
        var location = created.Headers.Location!.ToString();
        string etag = created.Headers.ETag!.Tag, answer = await created.Content.ReadAsStringAsync();
        const string trickle = "a=ice-ufrag:Wq7f\r\na=ice-pwd:ZmFrZS1pY2UtcGFzc3dvcmQtMDEy\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n" +
            "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n";

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(Request(HttpMethod.Patch, location, trickle, Fragment, ifMatch: etag))).StatusCode);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, location, trickle, Fragment)), HttpStatusCode.PreconditionRequired);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, location, trickle, Fragment, ifMatch: "\"not-the-tag\"")), HttpStatusCode.PreconditionFailed);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, location, trickle, "application/sdp", ifMatch: etag)), HttpStatusCode.UnsupportedMediaType);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, "/whip/whip-patch/no-such-session", trickle, Fragment, ifMatch: "*")), HttpStatusCode.NotFound);

        // ICE restart (RFC 9725 §4.3.2): new credentials with If-Match: *; the answer's fragment has the server's new ones and a new ETag.
        const string restart = "a=ice-ufrag:R3st\r\na=ice-pwd:bmV3LWljZS1wYXNzd29yZC0wMTIz\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n";
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, location, restart, Fragment)), HttpStatusCode.PreconditionRequired);
        var restarted = await SendAsync(Request(HttpMethod.Patch, location, restart, Fragment, ifMatch: "*"));
        var fragment = await restarted.Content.ReadAsStringAsync();
        Assert.True(restarted.StatusCode == HttpStatusCode.OK, $"{(int)restarted.StatusCode}: {fragment}");
        Assert.Equal(Fragment, restarted.Content.Headers.ContentType?.MediaType);
        string Ufrag(string sdp) => sdp.Split("\r\n").First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal));
        Assert.NotEqual(Ufrag(answer), Ufrag(fragment));
        Assert.Contains("a=ice-pwd:", fragment);
        Assert.Contains("a=candidate:", fragment);
        Assert.NotEqual(etag, restarted.Headers.ETag!.Tag);
        await ErrorAsync(await SendAsync(Request(HttpMethod.Patch, location, trickle, Fragment, ifMatch: etag)), HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Request(HttpMethod.Delete, location))).StatusCode);
    }

    [Fact]
    public async Task Options_answers_the_cors_preflight_of_a_page_from_any_origin()
    {
        var preflight = Request(HttpMethod.Options, "/whip/whip-options");
        preflight.Headers.Add("Origin", "https://studio.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        var response = await SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        foreach (var header in new[] { "Authorization", "Content-Type", "If-Match" }) Assert.Contains(header, allowed);
        Assert.Equal("application/sdp", response.Headers.GetValues("Accept-Post").Single());

        var session = await SendAsync(Request(HttpMethod.Options, "/whep/whip-options/any"));
        Assert.Equal(HttpStatusCode.NoContent, session.StatusCode);
        var methods = session.Headers.GetValues("Access-Control-Allow-Methods").Single();
        Assert.Contains("PATCH", methods);
        Assert.Contains("DELETE", methods);
        Assert.Equal(Fragment, session.Headers.GetValues("Accept-Patch").Single());
    }

    [Fact]
    public async Task A_p2p_room_answers_409_its_media_does_not_go_through_the_server()
    {
        using var admin = api.Client(api.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/rooms", new { name = "whip-p2p", media = "p2p" })).StatusCode);
        var response = await SendAsync(Request(HttpMethod.Post, "/whip/whip-p2p", Offer("sendonly"), token: await TokenAsync("encoder", "whip-p2p")));
        Assert.Contains("p2p", await ErrorAsync(response, HttpStatusCode.Conflict));
        Assert.Null(response.Headers.RetryAfter); // waiting does not help
        Assert.Empty(await ParticipantsAsync("whip-p2p"));
    }

    [Fact]
    public async Task A_full_room_answers_503_with_retry_after()
    {
        var first = await PublishAsync("whip-full", await TokenAsync("one", "whip-full"));
        var second = await SendAsync(Request(HttpMethod.Post, "/whip/whip-full", Offer("sendonly"), token: await TokenAsync("two", "whip-full")));
        Assert.Contains("MaxPublishersPerRoom", await ErrorAsync(second, HttpStatusCode.ServiceUnavailable));
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(await ParticipantsAsync("whip-full"), p => p.GetProperty("identity").GetString() == "two");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Request(HttpMethod.Delete, first.Headers.Location!.ToString()))).StatusCode);
    }

    [Fact]
    public async Task A_whep_viewer_gets_the_rooms_tracks_and_counts_as_a_viewer_until_it_leaves()
    {
        var viewerToken = await TokenAsync("viewer", "whep-room", "join,subscribe");
        var early = await SendAsync(Request(HttpMethod.Post, "/whep/whep-room", Offer("recvonly"), token: viewerToken));
        await ErrorAsync(early, HttpStatusCode.Conflict);
        Assert.NotNull(early.Headers.RetryAfter?.Delta);

        var publisher = await PublishAsync("whep-room", await TokenAsync("encoder", "whep-room"));
        var viewers = new List<HttpResponseMessage>();
        for (int i = 0; i < 2; i++) // one token, two viewers: neither replaces the other
        {
            var response = await SendAsync(Request(HttpMethod.Post, "/whep/whep-room", Offer("recvonly"), token: viewerToken));
            var answer = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"WHEP: {(int)response.StatusCode} {answer}");
            Assert.StartsWith("/whep/whep-room/", response.Headers.Location!.ToString());
            Assert.Equal(2, answer.Split("a=sendonly").Length - 1); // the server sends both sections, each its stream
            Assert.All(answer.Split("\r\nm=")[1..], section => Assert.Contains("\r\na=ssrc:", section));
            viewers.Add(response);
        }

        using var admin = api.Client(api.AdminToken);
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("api/rooms/whep-room")).GetProperty("viewers").GetInt32());
        Assert.Equal(2, (await ParticipantsAsync("whep-room")).Count(p => p.GetProperty("identity").GetString()!.StartsWith("viewer/", StringComparison.Ordinal)));
        foreach (var viewer in viewers) Assert.Equal(HttpStatusCode.OK, (await SendAsync(Request(HttpMethod.Delete, viewer.Headers.Location!.ToString()))).StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("api/rooms/whep-room")).GetProperty("viewers").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Request(HttpMethod.Delete, publisher.Headers.Location!.ToString()))).StatusCode);
    }
}
