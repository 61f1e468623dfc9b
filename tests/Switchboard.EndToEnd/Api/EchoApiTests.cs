using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Api;

/// <summary>
/// <c>/api/echo</c> over HTTP on the real server: an offer gets a WebRTC answer and a session URL; bad offers get
/// problem+json naming what is wrong; the session limit holds; a session nobody connects to is dropped once ICE
/// consent lapses, and its slot is free again.
/// </summary>
public sealed class EchoApiTests(RestApiFixture api) : IClassFixture<RestApiFixture>
{
    private static readonly string ChromiumOffer = TestOffer("chromium-156-offer-no-simulcast.sdp");

    /// <summary>Audio, simulcast video (rid q, h, f) and a data channel.</summary>
    private static readonly string ChromiumSimulcastOffer = TestOffer("chromium-156-offer.sdp");

    private static string TestOffer(string name) =>
        File.ReadAllText(Path.Combine(RepoLayout.Root, "tests", "Switchboard.Protocols.Tests", "Sdp", "TestData", name));

    private static StringContent Sdp(string text, string mediaType = "application/sdp") => new(text, Encoding.UTF8, mediaType);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task An_offer_gets_an_ice_lite_answer_and_a_session_that_can_be_read_and_ended()
    {
        using var http = api.Client();
        var response = await http.PostAsync("api/echo", Sdp(ChromiumSimulcastOffer));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Created == response.StatusCode, answer);
        Assert.Equal("application/sdp", response.Content.Headers.ContentType?.MediaType);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("/api/echo/", location);

        Assert.Contains("a=ice-lite\r\n", answer);
        Assert.Contains("a=setup:passive\r\n", answer);
        Assert.Contains("a=fingerprint:sha-256 ", answer);
        Assert.Contains($"a=candidate:1 1 udp 2130706431 127.0.0.1 {api.Server.MediaUdpPort} typ host\r\n", answer);
        Assert.Contains($" 127.0.0.1 {api.Server.MediaTcpPort} typ host tcptype passive\r\n", answer);
        Assert.Contains("a=group:BUNDLE 0 1\r\n", answer); // the data channel section is not bundled: it is rejected
        Assert.Contains("m=application 0 ", answer);
        Assert.Contains("a=rtpmap:111 opus/48000/2\r\n", answer);
        Assert.Contains("a=ssrc-group:FID ", answer);

        using var status = JsonDocument.Parse(await http.GetStringAsync(location));
        Assert.Equal("connecting", status.RootElement.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(location)).StatusCode);
        await ProblemAsync(await http.GetAsync(location), HttpStatusCode.NotFound);
        await ProblemAsync(await http.DeleteAsync(location), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_new_offer_restarts_ice_with_new_server_credentials_and_bad_ones_are_refused()
    {
        using var http = api.Client();
        var created = await http.PostAsync("api/echo", Sdp(ChromiumOffer));
        var first = await created.Content.ReadAsStringAsync();
        var location = created.Headers.Location!.ToString();
        var restartOffer = ChromiumOffer.Replace("a=ice-ufrag:", "a=ice-ufrag:R", StringComparison.Ordinal);

        var restarted = await http.PatchAsync(location, Sdp(restartOffer));
        var second = await restarted.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.OK == restarted.StatusCode, second);
        string Ufrag(string sdp) => sdp.Split("\r\n").First(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal));
        Assert.NotEqual(Ufrag(first), Ufrag(second));
        Assert.Equal(first.Split("\r\n").Where(l => l.StartsWith("a=ssrc:", StringComparison.Ordinal)), second.Split("\r\n").Where(l => l.StartsWith("a=ssrc:", StringComparison.Ordinal)));
        // The same credentials again is a plain renegotiation: the server keeps its own.
        Assert.Equal(Ufrag(second), Ufrag(await (await http.PatchAsync(location, Sdp(restartOffer))).Content.ReadAsStringAsync()));

        var fewerSections = restartOffer[..restartOffer.IndexOf("m=video", StringComparison.Ordinal)].Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0", StringComparison.Ordinal);
        Assert.Contains("same mids", (await ProblemAsync(await http.PatchAsync(location, Sdp(fewerSections)), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        await ProblemAsync(await http.PatchAsync(location, Sdp(restartOffer, "text/plain")), HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await http.PatchAsync("api/echo/no-such-session", Sdp(restartOffer)), HttpStatusCode.NotFound);
        await http.DeleteAsync(location);
    }

    [Fact]
    public async Task A_captured_firefox_offer_is_answered_with_its_own_payload_types_and_the_data_channel_rejected()
    {
        using var http = api.Client();
        var response = await http.PostAsync("api/echo", Sdp(TestOffer("firefox-esr-153-offer.sdp")));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Created == response.StatusCode, answer);
        Assert.Contains("a=group:BUNDLE 0 1\r\n", answer);
        Assert.Contains("a=rtpmap:109 opus/48000/2\r\n", answer);
        Assert.Contains("a=rtpmap:120 VP8/90000\r\n", answer);
        Assert.Contains("m=application 0 ", answer);
        Assert.Contains("a=setup:passive\r\n", answer);
        await http.DeleteAsync(response.Headers.Location);
    }

    [Fact]
    public async Task Malformed_sdp_is_refused_with_the_line_that_is_wrong()
    {
        using var http = api.Client();
        var broken = ChromiumOffer.Replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus", StringComparison.Ordinal);
        int line = broken.Split('\n').ToList().FindIndex(l => l.StartsWith("a=rtpmap:111 opus", StringComparison.Ordinal)) + 1;
        var problem = await ProblemAsync(await http.PostAsync("api/echo", Sdp(broken)), HttpStatusCode.BadRequest);
        Assert.Contains($"line {line}", problem.GetProperty("detail").GetString());
        Assert.Contains("a=rtpmap", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("", "v=0")]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no media section")]
    [InlineData("\0\0\0\0\0\0\0\0", "line 1")]
    public async Task Offers_without_what_webrtc_needs_are_refused(string offer, string expected)
    {
        using var http = api.Client();
        var problem = await ProblemAsync(await http.PostAsync("api/echo", Sdp(offer)), HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_offer_without_bundle_or_fingerprint_or_media_to_echo_is_refused()
    {
        using var http = api.Client();
        var noBundle = string.Join("\r\n", ChromiumOffer.Split("\r\n").Where(l => !l.StartsWith("a=group:BUNDLE", StringComparison.Ordinal)));
        Assert.Contains("BUNDLE", (await ProblemAsync(await http.PostAsync("api/echo", Sdp(noBundle)), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        var noFingerprint = string.Join("\r\n", ChromiumOffer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint", StringComparison.Ordinal)));
        Assert.Contains("fingerprint", (await ProblemAsync(await http.PostAsync("api/echo", Sdp(noFingerprint)), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        var receiveOnly = ChromiumOffer.Replace("a=sendrecv", "a=recvonly", StringComparison.Ordinal);
        Assert.Contains("nothing to echo", (await ProblemAsync(await http.PostAsync("api/echo", Sdp(receiveOnly)), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_content_type_and_oversized_offers_are_refused()
    {
        using var http = api.Client();
        await ProblemAsync(await http.PostAsync("api/echo", Sdp(ChromiumOffer, "text/plain")), HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await http.PostAsync("api/echo", Sdp(ChromiumOffer + new string('a', 70_000))), HttpStatusCode.RequestEntityTooLarge);
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(ChromiumOffer + new string('a', 70_000))));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        await ProblemAsync(await http.PostAsync("api/echo", chunked), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task The_session_limit_holds_and_an_unconnected_session_is_dropped_when_consent_lapses()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Media:Echo:MaxSessions=1", "--Media:ConsentTimeout=00:00:02"], role: "all");
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var first = await http.PostAsync("api/echo", Sdp(ChromiumOffer));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var full = await ProblemAsync(await http.PostAsync("api/echo", Sdp(ChromiumOffer)), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Media:Echo:MaxSessions", full.GetProperty("detail").GetString());

        // No ICE check ever arrives: after the consent timeout the peer is gone, and so is its session.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await http.GetAsync(first.Headers.Location)).StatusCode;
        } while (status != HttpStatusCode.NotFound && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("api/echo", Sdp(ChromiumOffer))).StatusCode);
        var metrics = await http.GetStringAsync("metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "switchboard_media_peers"));
    }
}
