using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Api;

/// <summary>The REST API of the real server: every endpoint, the admin-token matrix, hostile bodies, problem+json, OpenAPI.</summary>
public sealed class RestApiTests(RestApiFixture api) : IClassFixture<RestApiFixture>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    [Fact]
    public async Task Without_a_valid_admin_token_every_call_is_refused()
    {
        using var anonymous = api.Client();
        var missing = await anonymous.GetAsync("api/rooms");
        await ProblemAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_request\"", missing.Headers.WwwAuthenticate.ToString());

        using var basic = api.Client();
        basic.DefaultRequestHeaders.Authorization = new("Basic", "YTpi");
        await ProblemAsync(await basic.GetAsync("api/rooms"), HttpStatusCode.Unauthorized);

        var parts = api.AdminToken.Split('.');
        using var forged = api.Client($"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA");
        var badSignature = await forged.GetAsync("api/rooms");
        Assert.Contains("signature", (await ProblemAsync(badSignature, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        Assert.Contains("error=\"invalid_token\"", badSignature.Headers.WwwAuthenticate.ToString());

        using var expired = api.Client(await api.TokenCreateAsync("--identity", "old", "--admin", "--ttl", "1s"));
        await Task.Delay(TimeSpan.FromSeconds(32)); // past the 30 s of clock skew the server allows
        Assert.Contains("expired", (await ProblemAsync(await expired.GetAsync("api/rooms"), HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());

        using var participant = api.Client(await api.TokenCreateAsync("--identity", "someone", "--room", "r"));
        await ProblemAsync(await participant.GetAsync("api/rooms"), HttpStatusCode.Forbidden);
        await ProblemAsync(await participant.PostAsJsonAsync("api/tokens", new { identity = "x" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Every_route_of_the_openapi_document_checks_the_token_before_it_reads_the_body()
    {
        // The echo diagnostic is open by design (docs/rest-api.md, "Echo"); every other route needs an admin token.
        var open = new HashSet<string> { "POST /api/echo", "PATCH /api/echo/{id}", "GET /api/echo/{id}", "DELETE /api/echo/{id}" };
        using var anonymous = api.Client();
        using var participant = api.Client(await api.TokenCreateAsync("--identity", "someone", "--room", "r"));
        var document = await anonymous.GetFromJsonAsync<JsonElement>("openapi.json");
        HttpRequestMessage Malformed(string method, string path) =>
            new(new HttpMethod(method), Regex.Replace(path.TrimStart('/'), @"\{[^}]+\}", "x")) { Content = new StringContent("{bad json", Encoding.UTF8, "application/json") };

        List<string> walked = [], undocumented = [];
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                string method = operation.Name.ToUpperInvariant(), route = $"{method} {path.Name}";
                bool needsToken = operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
                if (open.Contains(route))
                {
                    Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Malformed(method, path.Name))).StatusCode);
                    if (needsToken) undocumented.Add($"{route} (open, documented as needing a token)");
                    continue;
                }
                var missing = await anonymous.SendAsync(Malformed(method, path.Name));
                var problem = await ProblemAsync(missing, HttpStatusCode.Unauthorized);
                Assert.Contains("error=\"invalid_request\"", missing.Headers.WwwAuthenticate.ToString());
                Assert.DoesNotContain("JSON", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
                await ProblemAsync(await participant.SendAsync(Malformed(method, path.Name)), HttpStatusCode.Forbidden);
                walked.Add(route);
                if (!needsToken) undocumented.Add(route);
            }
        }
        Assert.True(walked.Count >= 7, $"only {string.Join(", ", walked)} were walked");
        Assert.True(undocumented.Count == 0, $"the document is wrong about {string.Join(", ", undocumented)}");
        Assert.False(document.TryGetProperty("security", out _), "the document says every route, the echo's too, needs a token; it should say so per route");
    }

    [Fact]
    public async Task Rooms_can_be_created_listed_read_and_deleted()
    {
        using var client = api.Client(api.AdminToken);
        var created = await client.PostAsJsonAsync("api/rooms", new { name = "board-meeting", maxParticipants = 8, publishers = new[] { "ceo" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/rooms/board-meeting", created.Headers.Location?.ToString());
        var room = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(8, room.GetProperty("maxParticipants").GetInt32());
        Assert.Equal("ceo", room.GetProperty("publishers")[0].GetString());
        Assert.True(room.GetProperty("persistent").GetBoolean());
        Assert.Equal("sfu", room.GetProperty("media").GetString()); // the server's Signaling:DefaultMediaMode

        await ProblemAsync(await client.PostAsJsonAsync("api/rooms", new { name = "board-meeting" }), HttpStatusCode.Conflict);
        var mesh = await client.PostAsJsonAsync("api/rooms", new { name = "two-people", media = "p2p" });
        Assert.Equal("p2p", (await mesh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("media").GetString());
        await ProblemAsync(await client.PostAsJsonAsync("api/rooms", new { name = "odd", media = "mcu" }), HttpStatusCode.BadRequest);
        var rooms = await client.GetFromJsonAsync<JsonElement>("api/rooms");
        Assert.Contains(rooms.EnumerateArray(), r => r.GetProperty("name").GetString() == "board-meeting");
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("api/rooms/board-meeting")).GetProperty("participants").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("api/rooms/board-meeting")).StatusCode);
        await ProblemAsync(await client.GetAsync("api/rooms/board-meeting"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.DeleteAsync("api/rooms/board-meeting"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("api/rooms/board-meeting/participants"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Participants_are_listed_and_removed_and_a_minted_token_joins()
    {
        using var client = api.Client(api.AdminToken);
        var minted = await client.PostAsJsonAsync("api/tokens", new { identity = "dana", room = "desk", name = "Dana" });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{api.Server.HttpPort}/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "join", room = "desk", token })), WebSocketMessageType.Text, true, CancellationToken.None);
        var joined = await ReceiveAsync(socket);
        Assert.Equal("joined", joined.GetProperty("type").GetString());
        Assert.Equal("Dana", joined.GetProperty("participant").GetProperty("name").GetString());
        var id = joined.GetProperty("participant").GetProperty("id").GetString();

        var participants = await client.GetFromJsonAsync<JsonElement>("api/rooms/desk/participants");
        var dana = Assert.Single(participants.EnumerateArray());
        Assert.Equal("dana", dana.GetProperty("identity").GetString());
        Assert.True(dana.GetProperty("connected").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"api/rooms/desk/participants/{id}")).StatusCode);
        var removed = await ReceiveAsync(socket);
        Assert.Equal("removed", removed.GetProperty("code").GetString());
        Assert.Equal((WebSocketCloseStatus)4002, await CloseStatusAsync(socket));
        await ProblemAsync(await client.DeleteAsync($"api/rooms/desk/participants/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_token_from_the_command_line_joins()
    {
        var token = await api.TokenCreateAsync("--identity", "erin", "--room", "cli-room", "--name", "Erin");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{api.Server.HttpPort}/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "join", room = "cli-room", token })), WebSocketMessageType.Text, true, CancellationToken.None);
        var joined = await ReceiveAsync(socket);
        Assert.Equal("Erin", joined.GetProperty("participant").GetProperty("name").GetString());
        var turn = joined.GetProperty("iceServers").EnumerateArray().Single(s => s.TryGetProperty("username", out _));
        Assert.EndsWith(":erin", turn.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Bad_media_messages_get_the_error_the_protocol_names_and_the_connection_stays()
    {
        using var client = api.Client(api.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("api/rooms", new { name = "mesh-room", media = "p2p" })).StatusCode);
        async Task<ClientWebSocket> JoinAsync(string room, string identity)
        {
            var token = await api.TokenCreateAsync("--identity", identity, "--room", room);
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{api.Server.HttpPort}/ws"), CancellationToken.None);
            await SendAsync(socket, new { type = "join", room, token });
            return socket;
        }

        using var sfu = await JoinAsync("sfu-room", "frank");
        Assert.Equal("sfu", (await ReceiveAsync(sfu)).GetProperty("media").GetString());
        await SendAsync(sfu, new { type = "media-offer", id = "o1", sdp = "v=0\r\nnot sdp" });
        var invalid = await ReceiveAsync(sfu);
        Assert.Equal(("media-invalid", "o1"), (invalid.GetProperty("code").GetString(), invalid.GetProperty("requestId").GetString()));
        Assert.Equal("SDP line 2: a line is <letter>=<value>: 'not sdp'", invalid.GetProperty("message").GetString());
        await SendAsync(sfu, new { type = "mute", id = "m1", source = "camera", muted = true });
        var mute = await ReceiveAsync(sfu);
        Assert.Equal(("media-invalid", "you publish no camera track"), (mute.GetProperty("code").GetString(), mute.GetProperty("message").GetString()));

        using var mesh = await JoinAsync("mesh-room", "gina");
        Assert.Equal("p2p", (await ReceiveAsync(mesh)).GetProperty("media").GetString());
        await SendAsync(mesh, new { type = "media-offer", sdp = "v=0" });
        Assert.Equal("media-unavailable", (await ReceiveAsync(mesh)).GetProperty("code").GetString());

        await SendAsync(sfu, new { type = "ping" });
        Assert.Equal("pong", (await ReceiveAsync(sfu)).GetProperty("type").GetString());
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    [Theory]
    [InlineData("{bad json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"name\":42}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"name\":\"has space\"}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"name\":\"ok-name\",\"maxParticipants\":0}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"name\":\"\u00e9t\u00e9\"}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("name=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    public async Task Hostile_room_bodies_get_problem_details(string body, string contentType, HttpStatusCode status)
    {
        using var client = api.Client(api.AdminToken);
        var response = await client.PostAsync("api/rooms", new StringContent(body, Encoding.UTF8, contentType));
        await ProblemAsync(response, status);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413_and_unknown_paths_and_methods_are_problems()
    {
        using var client = api.Client(api.AdminToken);
        var huge = "{\"name\":\"" + new string('a', 70_000) + "\"}";
        await ProblemAsync(await client.PostAsync("api/rooms", new StringContent(huge, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(await client.GetAsync("api/nothing/here"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.PutAsync("api/rooms", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.MethodNotAllowed);
        await ProblemAsync(await client.PostAsJsonAsync("api/tokens", new { identity = "x", ttlSeconds = 5 }), HttpStatusCode.BadRequest);
        await ProblemAsync(await client.PostAsJsonAsync("api/tokens", new { identity = "", room = "r" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Data_for_a_room_is_checked_and_sent_to_whoever_is_there()
    {
        using var client = api.Client(api.AdminToken);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("api/rooms", new { name = "bus" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("api/rooms", new { name = "bus-p2p", media = "p2p" })).StatusCode);

        var sent = await client.PostAsJsonAsync("api/rooms/bus/data", new { topic = "announce", text = "nobody is here yet" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal((0, 0), await QueuedAsync(sent));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("api/rooms/bus/data", new { topic = "bin", base64 = "AAEC", reliable = false, to = new[] { "p_x" } })).StatusCode);

        await ProblemAsync(await client.PostAsJsonAsync("api/rooms/nowhere/data", new { topic = "t", text = "x" }), HttpStatusCode.NotFound);
        await ProblemAsync(await client.PostAsJsonAsync("api/rooms/bus-p2p/data", new { topic = "t", text = "x" }), HttpStatusCode.Conflict);
        foreach (var body in new object[]
                 {
                     new { text = "no topic" },
                     new { topic = new string('t', 256), text = "x" },
                     new { topic = "t", text = "x", base64 = "AA==" },
                     new { topic = "t", base64 = "not base64!" },
                     new { topic = "t", base64 = Convert.ToBase64String(new byte[256 * 1024 + 1]) },
                     new { topic = "t", text = "x", to = new[] { "" } },
                     new { topic = "t", text = "x", to = Enumerable.Repeat("p", 256).ToArray() },
                 })
        {
            await ProblemAsync(await client.PostAsJsonAsync("api/rooms/bus/data", body), HttpStatusCode.BadRequest);
        }
        await ProblemAsync(await api.Client().PostAsJsonAsync("api/rooms/bus/data", new { topic = "t", text = "x" }), HttpStatusCode.Unauthorized);

        static async Task<(int, int)> QueuedAsync(HttpResponseMessage response)
        {
            var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (outcome.GetProperty("queued").GetInt32(), outcome.GetProperty("dropped").GetInt32());
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_and_the_bearer_scheme()
    {
        using var client = api.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("openapi.json");
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/api/rooms", "get"), ("/api/rooms", "post"), ("/api/rooms/{name}", "get"), ("/api/rooms/{name}", "delete"),
                     ("/api/rooms/{name}/participants", "get"), ("/api/rooms/{name}/participants/{id}", "delete"), ("/api/tokens", "post"),
                     ("/api/rooms/{name}/data", "post"),
                 })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the OpenAPI document");
        }
        Assert.False(paths.TryGetProperty("/ws", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone();
    }

    private static async Task<WebSocketCloseStatus?> CloseStatusAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close) { }
        return socket.CloseStatus;
    }
}
