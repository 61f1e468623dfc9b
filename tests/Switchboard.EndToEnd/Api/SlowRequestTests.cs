using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.EndToEnd.Api;

/// <summary>The server with a 2 s request-header timeout (<c>Http:RequestHeadersTimeoutSeconds</c>), for <see cref="SlowRequestTests"/>.</summary>
public sealed class SlowRequestFixture : RestApiFixture
{
    protected override string[] ServerArguments => ["--Http:RequestHeadersTimeoutSeconds=2"];
}

/// <summary>
/// Slowloris against the HTTP port of the real process: request headers or a body trickled a few bytes at a time do not
/// hold a connection open past the limits, and other clients are served meanwhile.
/// </summary>
public sealed class SlowRequestTests(SlowRequestFixture api) : IClassFixture<SlowRequestFixture>
{
    private static readonly TimeSpan TrickleFor = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Request_headers_trickled_past_the_header_timeout_are_cut_off_while_others_are_served()
    {
        using var http = api.Client();
        using var slow = await ConnectAsync();
        await slow.SendAsync(Encoding.ASCII.GetBytes("GET /api/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        var (answer, closed) = await TrickleAsync(slow, i => $"X-Slow-{i}: x\r\n", TimeSpan.FromMilliseconds(250),
            meanwhile: async () => Assert.Equal("ok", await http.GetStringAsync("healthz")));
        Assert.True(closed, $"the server kept a connection whose headers never ended for {TrickleFor.TotalSeconds} s");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), $"unexpected answer: {answer}");
        Assert.Equal("ok", await http.GetStringAsync("healthz"));
    }

    [Fact]
    public async Task A_request_body_trickled_below_the_minimum_rate_is_cut_off_while_others_are_served()
    {
        using var http = api.Client(api.AdminToken);
        using var slow = await ConnectAsync();
        await slow.SendAsync(Encoding.ASCII.GetBytes("POST /api/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                                                     $"Authorization: Bearer {api.AdminToken}\r\nContent-Length: 1000\r\n\r\n{{\"name\":\""));
        // 2 bytes a second, under Http:MinRequestBodyBytesPerSecond (240).
        var (answer, closed) = await TrickleAsync(slow, _ => "a", TimeSpan.FromMilliseconds(500),
            meanwhile: async () => Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/rooms")).StatusCode));
        Assert.True(closed, $"the server kept a connection whose body trickled in for {TrickleFor.TotalSeconds} s");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), $"unexpected answer: {answer}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/rooms")).StatusCode);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, api.Server.HttpPort);
        return socket;
    }

    /// <summary>
    /// Sends <paramref name="piece"/>(0), (1), ... every <paramref name="every"/> and reads what comes back, until the
    /// server closes the connection (Closed) or <see cref="TrickleFor"/> passes; <paramref name="meanwhile"/> runs once,
    /// a second in, while the connection is held.
    /// </summary>
    private static async Task<(string Answer, bool Closed)> TrickleAsync(Socket socket, Func<int, string> piece, TimeSpan every, Func<Task> meanwhile)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow + TrickleFor;
        for (int i = 0; DateTime.UtcNow < deadline; i++)
        {
            while (socket.Poll(0, SelectMode.SelectRead))
            {
                int count;
                try
                {
                    count = socket.Receive(buffer);
                }
                catch (SocketException)
                {
                    count = 0; // reset
                }
                if (count == 0) return (received.ToString(), true);
                received.Append(Encoding.ASCII.GetString(buffer, 0, count));
            }
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(piece(i)));
            }
            catch (SocketException)
            {
                // the server has closed it; the next read says so
            }
            if (i * every == TimeSpan.FromSeconds(1)) await meanwhile();
            await Task.Delay(every);
        }
        return (received.ToString(), false);
    }
}
