using System.Globalization;
using System.Net;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Interop;

/// <summary>
/// coturn's own clients (turnutils_uclient, turnutils_stunclient) against Switchboard, over every client transport.
/// </summary>
public sealed class TurnInteropTests(SwitchboardFixture fixture, ITestOutputHelper log) : IClassFixture<SwitchboardFixture>
{
    // 10 clients, 200 messages each of 120 bytes, one every 20 ms (uclient's default pace).
    private const int Clients = 10;
    private const int MessagesPerClient = 200;
    private static readonly string[] Load = ["-m", "10", "-n", "200", "-l", "120"];
    private static readonly string[] LongTermCredentials = ["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password];

    [Fact]
    public async Task StunBindingReturnsLoopbackMappedAddress()
    {
        var server = fixture.Server;
        var result = await TurnUtils.RunStunclientAsync(["-p", Port(server.Port), server.Host]);
        log.WriteLine(result.Describe());
        var context = Context(result.Describe(), server);
        Assert.True(result.ExitCode == 0, "turnutils_stunclient failed.\n" + context);
        Assert.True(result.MappedAddress is not null, "No mapped address in the output.\n" + context);
        Assert.True(result.MappedAddress.Address.Equals(IPAddress.Loopback), $"Mapped address {result.MappedAddress} is not 127.0.0.1.\n" + context);
        Assert.True(result.MappedAddress.Port > 0, "Mapped port is 0.\n" + context);
    }

    /// <summary>UDP to the server, UDP relay, ChannelData between client pairs (<c>-y</c>).</summary>
    [Fact]
    public async Task RelaysOverUdp() =>
        await RelayAsync(fixture.Server, secure: false, [.. LongTermCredentials, "-y"]);

    /// <summary>TCP to the server (<c>-t</c>), UDP relay.</summary>
    [Fact]
    public async Task RelaysOverTcp() =>
        await RelayAsync(fixture.Server, secure: false, [.. LongTermCredentials, "-t", "-y"]);

    /// <summary>TLS over TCP to the server (<c>-S -t</c>) on the TLS port, UDP relay.</summary>
    [Fact]
    public async Task RelaysOverTls() =>
        await RelayAsync(fixture.Server, secure: true, [.. LongTermCredentials, "-S", "-t", "-y"]);

    /// <summary>DTLS over UDP to the server (<c>-S</c> without <c>-t</c>) on the TLS port, UDP relay.</summary>
    [Fact]
    public async Task RelaysOverDtls() =>
        await RelayAsync(fixture.Server, secure: true, [.. LongTermCredentials, "-S", "-y"]);

    /// <summary>
    /// RFC 6062 TCP relay (<c>-T</c>: REQUESTED-TRANSPORT TCP, Connect / ConnectionBind data connections; implies -t -y -c).
    /// </summary>
    [Fact]
    public async Task RelaysTcpAllocations() =>
        await RelayAsync(fixture.Server, secure: false, [.. LongTermCredentials, "-T"]);

    /// <summary>TURN REST API credentials (<c>-W secret</c>: user name is an expiry timestamp, password its HMAC).</summary>
    [Fact]
    public async Task RelaysWithRestSecret() =>
        await RelayAsync(fixture.Server, secure: false, ["-W", TurnCredentials.AuthSecret, "-y"]);

    /// <summary>
    /// IPv6 (RFC 8656 folds in RFC 6156): a client over ::1, and an IPv4 client asking for IPv6 relayed addresses
    /// (<c>-x</c>: REQUESTED-ADDRESS-FAMILY IPv6, with EVEN-PORT and a RESERVATION-TOKEN for the second port).
    /// </summary>
    [Theory]
    [InlineData("::1", false)]
    [InlineData("127.0.0.1", true)]
    public async Task RelaysOverIPv6(string serverAddress, bool ipv6Relay)
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Turn:ListenAddresses:1=::1", SwitchboardFixture.UserQuotaForLoad]);
        string[] flags = ipv6Relay ? [.. LongTermCredentials, "-y", "-x"] : [.. LongTermCredentials, "-y"];
        await RelayAsync(server, secure: false, flags, serverAddress);
    }

    private async Task RelayAsync(SwitchboardProcess server, bool secure, string[] flags, string? address = null)
    {
        var result = await TurnUtils.RunUclientAsync([.. flags, .. Load, "-p", Port(secure ? server.TlsPort : server.Port), address ?? server.Host]);
        log.WriteLine(
            $"{result.CommandLine}\nsent {result.SentMessages} received {result.ReceivedMessages} lost {result.LostPackets} " +
            $"send dropped {result.SendDropped}, round trip avg {result.AverageRoundTripMs} ms max {result.MaxRoundTripMs} ms, " +
            $"jitter avg {result.AverageJitterMs} ms, transmit {result.TransmitSeconds} s");

        var context = Context(result.Describe(), server);
        Assert.True(result.ExitCode == 0, "turnutils_uclient failed.\n" + context);
        Assert.True(result.LostPackets is not null && result.SentMessages is not null && result.ReceivedMessages is not null,
            "turnutils_uclient printed no summary.\n" + context);
        Assert.True(result.SentMessages >= Clients * MessagesPerClient, $"Only {result.SentMessages} messages were sent.\n" + context);
        Assert.True(result.ReceivedMessages > 0, "No message came back through the relay.\n" + context);
        Assert.True(result.LostPackets == 0, $"{result.LostPackets} packets lost.\n" + context);
        Assert.True(result.SendDropped == 0, $"{result.SendDropped} sends dropped.\n" + context);
        Assert.True(result.ReceivedMessages == result.SentMessages, $"Sent {result.SentMessages}, received {result.ReceivedMessages}.\n" + context);
    }

    private string Context(string client, SwitchboardProcess server) => $"{client}\n--- switchboard output ---\n{server.OutputTail()}";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
