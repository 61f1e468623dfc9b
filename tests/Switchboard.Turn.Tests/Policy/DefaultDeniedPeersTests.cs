using System.Net;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Policy;
using static Switchboard.Turn.Policy.PeerDenialReason;

namespace Switchboard.Turn.Tests.Policy;

public class DefaultDeniedPeersTests
{
    private static readonly PeerPolicy Policy = new(new TurnOptions());

    /// <summary>Each range: the neighbour below, first, last, the neighbour above; a neighbour may fall in the next range.</summary>
    public static TheoryData<string, PeerDenialReason> Edges => new()
    {
        { "0.0.0.0", Unspecified }, { "0.255.255.255", Unspecified }, { "1.0.0.0", None },
        { "::", Unspecified }, { "::1", Loopback }, { "::2", Unspecified /* ::0.0.0.2 */ },
        { "126.255.255.255", None }, { "127.0.0.0", Loopback }, { "127.255.255.255", Loopback }, { "128.0.0.0", None },
        { "9.255.255.255", None }, { "10.0.0.0", Private }, { "10.255.255.255", Private }, { "11.0.0.0", None },
        { "172.15.255.255", None }, { "172.16.0.0", Private }, { "172.31.255.255", Private }, { "172.32.0.0", None },
        { "192.167.255.255", None }, { "192.168.0.0", Private }, { "192.168.255.255", Private }, { "192.169.0.0", None },
        { "100.63.255.255", None }, { "100.64.0.0", SharedAddressSpace }, { "100.127.255.255", SharedAddressSpace }, { "100.128.0.0", None },
        { "169.253.255.255", None }, { "169.254.0.0", LinkLocal }, { "169.254.169.254", LinkLocal }, { "169.254.255.255", LinkLocal }, { "169.255.0.0", None },
        { "191.255.255.255", None }, { "192.0.0.0", ProtocolAssignments }, { "192.0.0.255", ProtocolAssignments }, { "192.0.1.0", None },
        { "192.0.1.255", None }, { "192.0.2.0", Documentation }, { "192.0.2.255", Documentation }, { "192.0.3.0", None },
        { "198.51.99.255", None }, { "198.51.100.0", Documentation }, { "198.51.100.255", Documentation }, { "198.51.101.0", None },
        { "203.0.112.255", None }, { "203.0.113.0", Documentation }, { "203.0.113.255", Documentation }, { "203.0.114.0", None },
        { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", None }, { "2001:db8::", Documentation },
        { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", Documentation }, { "2001:db9::", None },
        { "198.17.255.255", None }, { "198.18.0.0", Benchmarking }, { "198.19.255.255", Benchmarking }, { "198.20.0.0", None },
        { "223.255.255.255", None }, { "224.0.0.0", Multicast }, { "239.255.255.255", Multicast }, { "240.0.0.0", Reserved },
        { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SiteLocal }, { "ff00::", Multicast }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Multicast },
        { "255.255.255.254", Reserved }, { "255.255.255.255", Broadcast },
        { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None }, { "fc00::", UniqueLocal }, { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UniqueLocal }, { "fe00::", None },
        { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None }, { "fe80::", LinkLocal }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LinkLocal }, { "fec0::", SiteLocal },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Each_default_range_is_denied_up_to_its_edges(string address, PeerDenialReason expected)
    {
        var decision = Policy.Evaluate(IPAddress.Parse(address));

        Assert.Equal(expected, decision.Reason);
        Assert.Equal(expected == None, decision.IsAllowed);
        Assert.Equal(expected == None, Policy.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void The_edge_data_covers_every_range_of_the_table()
    {
        var edges = Edges.Select(row => ((string)row[0], (PeerDenialReason)row[1])).ToList();

        Assert.Equal(22, DefaultDeniedPeers.All.Count);
        foreach (var entry in DefaultDeniedPeers.All)
        {
            Assert.Contains((entry.Range.BaseAddress.ToString(), entry.Reason), edges);
        }
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.True(Policy.IsAllowed(IPAddress.Parse(address)));
        Assert.Equal(PeerDecision.Allowed, Policy.Evaluate(IPAddress.Parse(address)));
    }

    [Fact]
    public void The_unspecified_addresses_are_denied()
    {
        Assert.Equal(new PeerDecision(Unspecified, IPAddress.Any), Policy.Evaluate(IPAddress.Any));
        Assert.Equal(new PeerDecision(Unspecified, IPAddress.IPv6Any), Policy.Evaluate(IPAddress.IPv6Any));
    }
}
