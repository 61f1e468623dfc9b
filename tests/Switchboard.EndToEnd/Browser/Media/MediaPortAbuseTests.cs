using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;
using Switchboard.Protocols.Stun;

namespace Switchboard.EndToEnd.Browser.Media;

/// <summary>
/// While Chromium runs an echo session, the media ports take random, truncated and forged datagrams of every kind
/// (STUN, DTLS, RTP, RTCP, garbage) and ICE-TCP connections that send junk. The echo must keep decoding, a forged
/// check must get 401, junk connections must be closed, nothing must leak, and when the browser goes away its peer
/// must be dropped once ICE consent lapses.
/// </summary>
public sealed class MediaPortAbuseTests(ITestOutputHelper output)
{
    private const int Datagrams = 20_000;

    [Fact]
    public async Task Echo_KeepsDecoding_WhileTheMediaPortsAreFlooded_AndItsPeerIsDroppedWhenTheBrowserLeaves()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Media:ConsentTimeout=00:00:04"], role: "all");
        await using var browser = await EchoPage.LaunchAsync();
        var page = await browser.NewPageAsync();
        try
        {
            await EchoPage.StartTestAsync(page, server);
            string answer = await page.EvaluateAsync<string>("() => window.connectionTestPeer.remoteDescription.sdp");
            string ufrag = Regex.Match(answer, "a=ice-ufrag:(\\S+)").Groups[1].Value;
            string browserUfrag = Regex.Match(await page.EvaluateAsync<string>("() => window.connectionTestPeer.localDescription.sdp"), "a=ice-ufrag:(\\S+)").Groups[1].Value;
            var target = new IPEndPoint(IPAddress.Loopback, server.MediaUdpPort);

            // A check with the session's ufrags but the wrong password: 401, and nothing else changes.
            using (var prober = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                prober.Connect(target);
                prober.Send(ForgedCheck(ufrag, browserUfrag));
                prober.ReceiveTimeout = 3000;
                var buffer = new byte[1500];
                int length = prober.Receive(buffer);
                Assert.Equal(StunParseError.None, StunMessageReader.TryParse(buffer.AsSpan(0, length), out var response));
                Assert.Equal(StunClass.ErrorResponse, response.Class);
                Assert.True(response.TryGetAttribute(StunAttributeType.ErrorCode, out var error));
                Assert.Equal(401, error[2] * 100 + error[3]);
            }

            var before = await EchoPage.Snapshot(page);
            var random = new Random(7982);
            using (var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                flooder.Connect(target);
                byte[] check = ForgedCheck(ufrag, browserUfrag);
                for (int i = 0; i < Datagrams; i++)
                {
                    flooder.Send(Hostile(i, random, check));
                    if (i % 500 == 0) await Task.Delay(5); // a flood, not a kernel buffer overflow test
                }
            }
            int closedByServer = await JunkIceTcpConnections(server.MediaTcpPort, random);
            Assert.Equal(20, closedByServer);

            await page.WaitForTimeoutAsync(5_000);
            var after = await EchoPage.Snapshot(page);
            output.WriteLine($"before: {before}\nafter:  {after}");
            Assert.True(after.GetProperty("videoFramesDecoded").GetInt64() >= before.GetProperty("videoFramesDecoded").GetInt64() + 50,
                "the echo kept decoding through the flood");

            using var http = new HttpClient { BaseAddress = server.HttpBase };
            var metrics = await http.GetStringAsync("metrics");
            Assert.True(PrometheusText.Value(metrics, "switchboard_media_datagrams_unmatched_total") >= Datagrams / 2, metrics);
            Assert.Equal(1, PrometheusText.Value(metrics, "switchboard_media_peers"));
            Assert.Equal(1, PrometheusText.Value(metrics, "switchboard_media_peers_connected"));

            // The browser goes away without a word: no more checks, so consent lapses and the peer is dropped.
            string session = await page.EvaluateAsync<string>("() => window.connectionTest.session");
            await page.EvaluateAsync("() => window.connectionTestPeer.close()");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await http.GetAsync(session)).StatusCode != HttpStatusCode.NotFound && DateTime.UtcNow < deadline) await Task.Delay(250);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(session)).StatusCode);
            while (PrometheusText.Value(await http.GetStringAsync("metrics"), "switchboard_media_peers") != 0 && DateTime.UtcNow < deadline) await Task.Delay(250);
            Assert.Equal(0, PrometheusText.Value(await http.GetStringAsync("metrics"), "switchboard_media_peers"));
            Assert.Equal("ok", await http.GetStringAsync("healthz"));
        }
        catch
        {
            output.WriteLine(server.OutputTail());
            throw;
        }
    }

    /// <summary>One hostile datagram: each kind RFC 7983 tells apart, random or cut from a forged check.</summary>
    private static byte[] Hostile(int index, Random random, byte[] check)
    {
        byte[] datagram = new byte[random.Next(0, 1400)];
        random.NextBytes(datagram);
        switch (index % 6)
        {
            case 1 when datagram.Length > 0: datagram[0] = (byte)random.Next(0, 4); break;                      // STUN range
            case 2: return check[..random.Next(0, check.Length + 1)];                                         // truncated check
            case 3 when datagram.Length > 2: (datagram[0], datagram[1], datagram[2]) = (22, 0xFE, 0xFD); break; // DTLS handshake record
            case 4 when datagram.Length > 1: (datagram[0], datagram[1]) = (0x80, (byte)random.Next(0, 128)); break; // RTP
            case 5 when datagram.Length > 1: (datagram[0], datagram[1]) = (0x80, (byte)random.Next(192, 224)); break; // RTCP
        }
        return datagram;
    }

    /// <summary>A Binding request as a browser sends it, signed with a password that is not the session's.</summary>
    private static byte[] ForgedCheck(string serverUfrag, string browserUfrag)
    {
        var buffer = new byte[512];
        StunTransactionId transaction = StunTransactionId.NewRandom();
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), transaction);
        writer.AddString(StunAttributeType.Username, $"{serverUfrag}:{browserUfrag}");
        writer.AddUInt32(StunAttributeType.Priority, 1853824767);
        writer.AddUInt64(StunAttributeType.IceControlling, 42);
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes("not-the-password-of-this-session"));
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    /// <summary>
    /// ICE-TCP connections, all at once, whose first bytes are junk: a frame that is not STUN (closed at once) or a
    /// length prefix announcing more than is sent (closed when the first check is overdue). Returns how many the server closed.
    /// </summary>
    private static async Task<int> JunkIceTcpConnections(int port, Random random)
    {
        var junks = Enumerable.Range(0, 20).Select(i =>
        {
            byte[] junk = new byte[random.Next(3, 3000)];
            random.NextBytes(junk);
            if (i % 2 == 0) (junk[0], junk[1]) = (0, (byte)Math.Min(255, junk.Length - 2));
            return junk;
        }).ToList();
        var closed = await Task.WhenAll(junks.Select(async junk =>
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(IPAddress.Loopback, port);
            await client.SendAsync(junk);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                return await client.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token) == 0;
            }
            catch (SocketException)
            {
                return true; // reset: closed too
            }
        }));
        return closed.Count(c => c);
    }
}
