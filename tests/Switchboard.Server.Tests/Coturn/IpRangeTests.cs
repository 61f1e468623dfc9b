using System.Net;
using Switchboard.Server.Configuration.Coturn;

namespace Switchboard.Server.Tests.Coturn;

public class IpRangeTests
{
    private static IReadOnlyList<string> Cidrs(string first, string last) =>
        IpRange.ToCidrBlocks(IPAddress.Parse(first), IPAddress.Parse(last));

    [Theory]
    [InlineData("10.0.0.0", "10.255.255.255", "10.0.0.0/8")]
    [InlineData("10.0.0.1", "10.0.0.6", "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32")]
    [InlineData("172.16.0.0", "172.31.255.255", "172.16.0.0/12")]
    [InlineData("192.168.1.7", "192.168.1.7", "192.168.1.7/32")]
    [InlineData("0.0.0.0", "255.255.255.255", "0.0.0.0/0")]
    [InlineData("255.255.255.254", "255.255.255.255", "255.255.255.254/31")]
    [InlineData("0.0.0.0", "0.0.0.0", "0.0.0.0/32")]
    [InlineData("10.0.0.0", "10.0.1.0", "10.0.0.0/24 10.0.1.0/32")]
    [InlineData("192.168.0.255", "192.168.2.0", "192.168.0.255/32 192.168.1.0/24 192.168.2.0/32")]
    [InlineData("1.2.3.4", "1.2.3.19", "1.2.3.4/30 1.2.3.8/29 1.2.3.16/30")]
    public void IPv4_ranges(string first, string last, string expected)
    {
        Assert.Equal(expected.Split(' '), Cidrs(first, last));
    }

    [Theory]
    [InlineData("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7")]
    [InlineData("2001:db8::", "2001:db8::ffff", "2001:db8::/112")]
    [InlineData("2001:db8::1", "2001:db8::4", "2001:db8::1/128 2001:db8::2/127 2001:db8::4/128")]
    [InlineData("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127")]
    [InlineData("::1", "::1", "::1/128")]
    [InlineData("2001:db8::", "2001:db9::", "2001:db8::/32 2001:db9::/128")]
    public void IPv6_ranges(string first, string last, string expected)
    {
        Assert.Equal(expected.Split(' '), Cidrs(first, last));
    }

    [Fact]
    public void Start_after_end_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Cidrs("10.0.0.9", "10.0.0.1"));
    }

    [Fact]
    public void Mixed_families_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Cidrs("10.0.0.1", "::1"));
    }

    [Fact]
    public void Random_IPv4_ranges_match_a_top_down_reference()
    {
        var random = new Random(20240611);
        for (int i = 0; i < 2000; i++)
        {
            uint a = (uint)random.NextInt64(0, 1L << 32);
            // Mostly short ranges, sometimes long ones.
            uint span = i % 4 == 0 ? (uint)random.NextInt64(0, 1L << 32) : (uint)random.Next(0, 5000);
            uint b = (uint)Math.Min(uint.MaxValue, (ulong)a + span);

            var expected = new List<string>();
            Reference(0, 0, a, b, expected);

            Assert.Equal(expected, Cidrs(ToIp(a).ToString(), ToIp(b).ToString()));
        }
    }

    /// <summary>
    /// Canonical decomposition computed top-down: a prefix block that lies inside the range is one
    /// CIDR; one that straddles its edges is split into its two halves.
    /// </summary>
    private static void Reference(ulong blockStart, int prefix, uint first, uint last, List<string> output)
    {
        ulong blockEnd = blockStart + (1UL << (32 - prefix)) - 1;
        if (blockEnd < first || blockStart > last)
        {
            return;
        }

        if (blockStart >= first && blockEnd <= last)
        {
            output.Add($"{ToIp((uint)blockStart)}/{prefix}");
            return;
        }

        ulong half = 1UL << (32 - prefix - 1);
        Reference(blockStart, prefix + 1, first, last, output);
        Reference(blockStart + half, prefix + 1, first, last, output);
    }

    private static IPAddress ToIp(uint n) =>
        new([(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData(" 10.0.0.1 ", true)]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("10.1", false)]
    [InlineData("167772161", false)]
    [InlineData("0x0a000001", false)]
    [InlineData("10.0.0.256", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("turn.example.com", false)]
    [InlineData("", false)]
    public void Literal_addresses_only(string text, bool valid)
    {
        Assert.Equal(valid, IpRange.TryParseLiteral(text, out _));
    }
}
