using System.Net;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Policy;

namespace Switchboard.Turn.Tests.Policy;

public class PeerRangeTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8)]
    [InlineData("10.1.2.3", "10.1.2.3", 32)]
    [InlineData("10.1.2.3/32", "10.1.2.3", 32)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("::1", "::1", 128)]
    [InlineData("::/0", "::", 0)]
    [InlineData("2001:db8::/32", "2001:db8::", 32)]
    [InlineData("2001:DB8::/32", "2001:db8::", 32)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.0.0.0", 104)]
    [InlineData(" 192.168.0.0/16 ", "192.168.0.0", 16)]
    public void Parses_ranges_and_single_addresses(string text, string address, int prefix)
    {
        Assert.True(PeerRange.TryParse(text, out var network, out var error));
        Assert.Equal(new IPNetwork(IPAddress.Parse(address), prefix), network);
        Assert.Equal("", error);
        Assert.Equal(network, PeerRange.Parse(text));
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("garbage", "'garbage' is not an IP address")]
    [InlineData("10.0.0.256", "is not an IP address")]
    [InlineData("10.0.0.0/33", "from 0 to 32 for IPv4")]
    [InlineData("10.0.0.1/33", "from 0 to 32 for IPv4")]
    [InlineData("::/129", "from 0 to 128 for IPv6")]
    [InlineData("10.0.0.0/-1", "from 0 to 32")]
    [InlineData("10.0.0.0/+8", "from 0 to 32")]
    [InlineData("10.0.0.0/", "from 0 to 32")]
    [InlineData("10.0.0.0/8/8", "from 0 to 32")]
    [InlineData("10.0.0.0/ 8", "from 0 to 32")]
    [InlineData("10.0.0.0/99999999999999999999", "from 0 to 32")]
    [InlineData("10.0.0.1/8", "bits set past the /8 prefix; write 10.0.0.0/8 for the range or 10.0.0.1 for the single address")]
    [InlineData("192.168.1.1/16", "write 192.168.0.0/16")]
    [InlineData("2001:db8::1/32", "write 2001:db8::/32 for the range or 2001:db8::1 for the single address")]
    [InlineData("10/8", "four decimal numbers")]
    [InlineData("10.1", "four decimal numbers")]
    [InlineData("010.0.0.1", "four decimal numbers")]
    [InlineData("0x0a.0.0.1", "four decimal numbers")]
    [InlineData("fe80::1%eth0", "scope id")]
    [InlineData("fe80::%2/10", "scope id")]
    [InlineData("[::1]", "not a plain IPv6 address")]
    [InlineData("[::1]:3478", "not a plain IPv6 address")]
    public void Rejects_what_is_not_a_clean_range_and_says_why(string? text, string why)
    {
        Assert.False(PeerRange.TryParse(text, out _, out var error));
        Assert.Contains(why, error);
        Assert.False(PeerRange.TryParse(text, out _));
        Assert.StartsWith($"'{text}' is not an address or CIDR range: ", error);
        if (text is not null)
        {
            Assert.Equal(error, Assert.Throws<FormatException>(() => PeerRange.Parse(text)).Message);
        }
    }

    [Fact]
    public void Validate_names_the_key_of_each_bad_entry()
    {
        var options = new TurnOptions
        {
            AllowedPeers = ["10.1.2.0/24", "intranet"],
            DeniedPeers = ["1.1.1.1", "8.8.8.0/24", "10.0.0.1/33", "172.16.0.1/12"],
        };

        var errors = PeerPolicy.Validate(options);

        Assert.Collection(
            errors,
            e => Assert.StartsWith("Turn:AllowedPeers[1]: 'intranet' is not an address or CIDR range", e),
            e => Assert.StartsWith("Turn:DeniedPeers[2]: '10.0.0.1/33' is not an address or CIDR range", e),
            e => Assert.StartsWith("Turn:DeniedPeers[3]: '172.16.0.1/12' is not an address or CIDR range: the address has bits set", e));
    }

    [Fact]
    public void Validate_accepts_the_defaults_and_good_entries()
    {
        Assert.Empty(PeerPolicy.Validate(new TurnOptions()));
        Assert.Empty(PeerPolicy.Validate(new TurnOptions { AllowedPeers = ["10.1.2.0/24", "::1"], DeniedPeers = ["2001:db8::/32"] }));
    }

    [Fact]
    public void The_policy_refuses_options_that_do_not_validate()
    {
        var options = new TurnOptions { DeniedPeers = ["10.0.0.1/33"] };

        var exception = Assert.Throws<ArgumentException>(() => new PeerPolicy(options));

        Assert.Contains("Turn:DeniedPeers[0]: '10.0.0.1/33'", exception.Message);
    }
}
