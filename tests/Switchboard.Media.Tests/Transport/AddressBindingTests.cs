using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Echo;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sdp;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Tests.Transport;

/// <summary>
/// The host's address map under checks from ever new source addresses (an echo session's credentials are handed to
/// anyone by <c>POST /api/echo</c>): each peer keeps at most what its ICE agent holds valid, and closing a peer unbinds
/// exactly its own paths. Real loopback sockets, one per source address in 127.0.1.0/24.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed class AddressBindingTests : IAsyncLifetime
{
    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions { UdpPort = 0, TcpPort = -1, AnnouncedAddresses = ["127.0.0.1"] }),
        NullLogger<MediaTransportHost>.Instance);

    public Task InitializeAsync() => _host.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public async Task Checks_from_200_addresses_leave_at_most_the_valid_paths_bound_and_closing_the_peer_unbinds_them()
    {
        var echo = new EchoService(_host, Options.Create(new MediaOptions()), NullLogger<EchoService>.Instance);
        var clientIce = IceCredentials.Generate();
        var offer = echo.Offer(EchoOffer(clientIce));
        Assert.True(offer.Answer is not null, offer.Problem);
        var section = SessionDescription.Parse(offer.Answer!).Media[0];
        var server = new IceCredentials(section.IceUfrag!, section.IcePwd!);
        var serverAddress = new IPEndPoint(IPAddress.Loopback, section.Candidates.First().Port);

        int answered = 0;
        for (int i = 1; i <= 200; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.1.{i}"), 0));
            socket.ReceiveTimeout = 2000;
            socket.SendTo(Check(server, clientIce), serverAddress);
            var response = new byte[512];
            int length = socket.Receive(response);
            if (StunMessageReader.TryParse(response.AsSpan(0, length), out var reader) == StunParseError.None && reader.Class == StunClass.SuccessResponse) answered++;
        }
        Assert.Equal(200, answered); // every check was good, and answered
        Assert.InRange(_host.BoundPaths, 1, IceLiteAgent<object>.MaxValidPaths);

        // A bystander's session is served as before: its check is answered and its address bound.
        var bystanderIce = IceCredentials.Generate();
        var bystander = echo.Offer(EchoOffer(bystanderIce));
        var bystanderSection = SessionDescription.Parse(bystander.Answer!).Media[0];
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.ReceiveTimeout = 2000;
            socket.SendTo(Check(new IceCredentials(bystanderSection.IceUfrag!, bystanderSection.IcePwd!), bystanderIce), serverAddress);
            var response = new byte[512];
            int length = socket.Receive(response);
            Assert.True(StunMessageReader.TryParse(response.AsSpan(0, length), out var reader) == StunParseError.None && reader.Class == StunClass.SuccessResponse);
        }
        Assert.InRange(_host.BoundPaths, 2, IceLiteAgent<object>.MaxValidPaths + 1);

        // Closing the first peer unbinds its paths and only its.
        _host.Peers.Single(p => p != bystander.Peer).Close("test");
        await Task.Yield();
        Assert.Equal(1, _host.BoundPaths);
        bystander.Peer!.Close("test");
        Assert.Equal(0, _host.BoundPaths);
    }

    /// <summary>A valid connectivity check (RFC 8445 §7.2.2): USERNAME server:client, integrity with the server's password.</summary>
    private static byte[] Check(IceCredentials server, IceCredentials client)
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), Guid.NewGuid().ToByteArray()[..12]);
        writer.AddString(StunAttributeType.Username, $"{server.Ufrag}:{client.Ufrag}");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E00_1EFF);
        writer.AddUInt64(StunAttributeType.IceControlling, 42);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(server.Password));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    private static string EchoOffer(IceCredentials ice) => string.Join("\r\n", [
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{ice.Ufrag}", $"a=ice-pwd:{ice.Password}",
        "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32)), "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2", "a=ssrc:1111 cname:x", ""]);
}
