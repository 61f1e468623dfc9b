using System.Net;
using Switchboard.Turn.Policy;

namespace Switchboard.Turn.Tests.Policy;

public class PeerAddressNormalizerTests
{
    [Theory]
    [InlineData("8.8.8.8", "8.8.8.8")]
    [InlineData("2606:4700::1111", "2606:4700::1111")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:0:10.0.0.1", "10.0.0.1")] // IPv4-translated
    [InlineData("::10.0.0.1", "10.0.0.1")] // IPv4-compatible
    [InlineData("::0.0.0.2", "0.0.0.2")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("2002:a00:1::1", "10.0.0.1")] // 6to4
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45")] // Teredo, RFC 4380 example: the client
    [InlineData("64:ff9b::10.0.0.1", "10.0.0.1")] // NAT64 well-known prefix
    [InlineData("64:ff9b:1::10.0.0.1", "10.0.0.1")] // NAT64 local-use, /96
    [InlineData("64:ff9b:1:1::10.0.0.1", "10.0.0.1")]
    [InlineData("64:ff9b:0:0:1::1", "64:ff9b:0:0:1::1")] // in 64:ff9b::/32 but not the /96
    [InlineData("2001:db8::1", "2001:db8::1")]
    public void Normalize_returns_the_address_really_reached(string input, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), PeerAddressNormalizer.Normalize(IPAddress.Parse(input)));
    }

    [Theory]
    [InlineData("fe80::1%2", "fe80::1")]
    [InlineData("2606:4700::1111%3", "2606:4700::1111")]
    [InlineData("::ffff:10.0.0.1%4", "10.0.0.1")]
    public void Normalize_clears_the_scope_id(string input, string expected)
    {
        var normalized = PeerAddressNormalizer.Normalize(IPAddress.Parse(input));

        Assert.Equal(IPAddress.Parse(expected), normalized);
        if (normalized.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            Assert.Equal(0, normalized.ScopeId);
        }
    }

    [Fact]
    public void Normalize_keeps_the_instance_when_nothing_changes()
    {
        var v4 = IPAddress.Parse("8.8.8.8");
        var v6 = IPAddress.Parse("2606:4700::1111");

        Assert.Same(v4, PeerAddressNormalizer.Normalize(v4));
        Assert.Same(v6, PeerAddressNormalizer.Normalize(v6));
    }

    [Theory]
    [InlineData("8.8.8.8", new[] { "8.8.8.8" })]
    [InlineData("2606:4700::1111", new[] { "2606:4700::1111" })]
    [InlineData("::1", new[] { "::1" })]
    [InlineData("::ffff:10.0.0.1", new[] { "10.0.0.1", "::ffff:10.0.0.1" })]
    [InlineData("::10.0.0.1", new[] { "10.0.0.1", "::10.0.0.1" })]
    [InlineData("2002:a00:1::1", new[] { "10.0.0.1", "2002:a00:1::1" })]
    [InlineData("64:ff9b::a9fe:a9fe", new[] { "169.254.169.254", "64:ff9b::a9fe:a9fe" })]
    [InlineData("64:ff9b:1::808:808", new[] { "8.8.8.8", "64:ff9b:1::808:808" })]
    public void GetAddressesToCheck_lists_embedded_addresses_then_the_address_itself(string input, string[] expected)
    {
        var addresses = PeerAddressNormalizer.GetAddressesToCheck(IPAddress.Parse(input));

        Assert.Equal(expected.Select(IPAddress.Parse), addresses.ToArray());
    }

    [Fact]
    public void Teredo_yields_client_then_server_then_itself()
    {
        var teredo = PeerAddresses.Teredo(server: "65.54.227.120", client: "10.0.0.1");

        var addresses = PeerAddressNormalizer.GetAddressesToCheck(teredo).ToArray();

        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("65.54.227.120"), teredo], addresses);
    }

    [Theory]
    [InlineData("64:ff9b:1:0:a:0:100:0", "10.0.0.1")] // /64: v4 in bits 72..103
    [InlineData("64:ff9b:1:a:0:1::", "10.0.0.1")] // /56: v4 in bits 56..63 and 72..95
    [InlineData("64:ff9b:1:a00:0:100::", "10.0.0.1")] // /48: v4 in bits 48..63 and 72..87
    public void Local_use_NAT64_checks_every_prefix_length_the_address_fits(string input, string embedded)
    {
        var addresses = PeerAddressNormalizer.GetAddressesToCheck(IPAddress.Parse(input)).ToArray();

        Assert.Contains(IPAddress.Parse(embedded), addresses);
        Assert.Contains(IPAddress.Parse(input), addresses);
    }

    [Fact]
    public void Local_use_NAT64_with_a_96_prefix_reads_only_the_last_32_bits()
    {
        var addresses = PeerAddressNormalizer.GetAddressesToCheck(IPAddress.Parse("64:ff9b:1:1::808:808")).ToArray();

        Assert.Equal([IPAddress.Parse("8.8.8.8"), IPAddress.Parse("64:ff9b:1:1::808:808")], addresses);
    }

    [Fact]
    public void The_set_enumerates_what_it_indexes()
    {
        var set = PeerAddressNormalizer.GetAddressesToCheck(PeerAddresses.Teredo("65.54.227.120", "8.8.8.8"));
        var enumerated = new List<IPAddress>();
        foreach (var address in set)
        {
            enumerated.Add(address);
        }

        Assert.Equal(3, set.Count);
        Assert.Equal(set.ToArray(), enumerated);
        Assert.Equal(IPAddress.Parse("8.8.8.8"), set.Reached);
        Assert.Throws<ArgumentOutOfRangeException>(() => set[3]);
    }
}
