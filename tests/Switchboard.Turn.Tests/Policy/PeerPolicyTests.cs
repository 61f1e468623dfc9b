using System.Net;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Policy;
using static Switchboard.Turn.Policy.PeerDenialReason;

namespace Switchboard.Turn.Tests.Policy;

public class PeerPolicyTests
{
    private static readonly PeerPolicy Default = new(new TurnOptions());

    private static PeerDecision Evaluate(PeerPolicy policy, string address) => policy.Evaluate(IPAddress.Parse(address));

    [Theory]
    [InlineData("::ffff:10.0.0.1", Private, "10.0.0.1")]
    [InlineData("::ffff:127.0.0.1", Loopback, "127.0.0.1")]
    [InlineData("::ffff:0.0.0.0", Unspecified, "0.0.0.0")]
    [InlineData("::ffff:169.254.169.254", LinkLocal, "169.254.169.254")]
    [InlineData("::ffff:0:10.0.0.1", Private, "10.0.0.1")]
    [InlineData("::10.0.0.1", Private, "10.0.0.1")]
    [InlineData("::127.0.0.1", Loopback, "127.0.0.1")]
    [InlineData("2002:a00:1::1", Private, "10.0.0.1")]
    [InlineData("2002:7f00:1::", Loopback, "127.0.0.1")]
    [InlineData("2002::1", Unspecified, "0.0.0.0")]
    [InlineData("64:ff9b::10.0.0.1", Private, "10.0.0.1")]
    [InlineData("64:ff9b::169.254.169.254", LinkLocal, "169.254.169.254")]
    [InlineData("64:ff9b::127.0.0.1", Loopback, "127.0.0.1")]
    [InlineData("64:ff9b:1::10.0.0.1", Private, "10.0.0.1")]
    [InlineData("64:ff9b:1::192.168.1.1", Private, "192.168.1.1")]
    [InlineData("64:ff9b:1:0:a:0:100:0", Private, "10.0.0.1")] // /64 reading; the /96 reading is 1.0.0.0
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", Documentation, "192.0.2.45")] // RFC 4380 example
    [InlineData("fe80::1%2", LinkLocal, "fe80::1")]
    [InlineData("fd00::1%2", UniqueLocal, "fd00::1")]
    [InlineData("::ffff:10.0.0.1%3", Private, "10.0.0.1")]
    public void Embedded_and_scoped_addresses_are_judged_by_what_they_reach(string peer, PeerDenialReason reason, string denied)
    {
        Assert.Equal(new PeerDecision(reason, IPAddress.Parse(denied)), Evaluate(Default, peer));
    }

    [Theory]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::ffff:0:8.8.8.8")]
    [InlineData("::8.8.8.8")]
    [InlineData("2002:808:808::1")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("64:ff9b:1::8.8.8.8")]
    [InlineData("64:ff9b:1:1::8.8.8.8")]
    [InlineData("2606:4700::1111%3")]
    public void Embedded_public_addresses_are_allowed(string peer)
    {
        Assert.True(Default.IsAllowed(IPAddress.Parse(peer)));
    }

    [Fact]
    public void Teredo_is_denied_when_the_client_is_private()
    {
        var peer = PeerAddresses.Teredo(server: "65.54.227.120", client: "192.168.1.10");

        Assert.Equal(new PeerDecision(Private, IPAddress.Parse("192.168.1.10")), Default.Evaluate(peer));
    }

    [Fact]
    public void Teredo_is_denied_when_the_server_is_private()
    {
        var peer = PeerAddresses.Teredo(server: "10.0.0.53", client: "8.8.8.8");

        Assert.Equal(new PeerDecision(Private, IPAddress.Parse("10.0.0.53")), Default.Evaluate(peer));
    }

    [Fact]
    public void Teredo_is_allowed_when_server_and_client_are_public()
    {
        Assert.True(Default.IsAllowed(PeerAddresses.Teredo(server: "65.54.227.120", client: "8.8.8.8")));
    }

    [Fact]
    public void SixToFour_embedding_a_public_address_is_allowed_and_a_private_one_denied()
    {
        Assert.True(Default.IsAllowed(PeerAddresses.SixToFour("8.8.8.8")));
        Assert.False(Default.IsAllowed(PeerAddresses.SixToFour("10.0.0.1")));
        Assert.False(Default.IsAllowed(PeerAddresses.SixToFour("100.64.0.1")));
    }

    [Fact]
    public void An_allowed_range_opens_a_default_denied_range()
    {
        var policy = new PeerPolicy(new TurnOptions { AllowedPeers = ["10.1.2.0/24", "fd00:1::/64"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.2.0")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.2.255")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.True(policy.IsAllowed(PeerAddresses.SixToFour("10.1.2.3")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("fd00:1::5")));
        Assert.Equal(new PeerDecision(Private, IPAddress.Parse("10.1.3.0")), Evaluate(policy, "10.1.3.0"));
        Assert.Equal(new PeerDecision(Private, IPAddress.Parse("10.1.1.255")), Evaluate(policy, "10.1.1.255"));
        Assert.Equal(UniqueLocal, Evaluate(policy, "fd00:2::5").Reason);
    }

    [Fact]
    public void An_allowed_single_address_opens_only_itself()
    {
        var policy = new PeerPolicy(new TurnOptions { AllowedPeers = ["192.168.1.20"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("192.168.1.20")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("192.168.1.21")));
    }

    [Fact]
    public void A_denied_entry_beats_an_allowed_one()
    {
        var policy = new PeerPolicy(new TurnOptions
        {
            AllowedPeers = ["10.1.0.0/16"],
            DeniedPeers = ["10.1.2.0/24"],
        });

        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.3.1")));
        Assert.Equal(new PeerDecision(OperatorDenied, IPAddress.Parse("10.1.2.1")), Evaluate(policy, "10.1.2.1"));
    }

    [Fact]
    public void A_denied_entry_beats_allowed_loopback()
    {
        var policy = new PeerPolicy(new TurnOptions { AllowLoopbackPeers = true, DeniedPeers = ["127.0.0.53"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.Equal(OperatorDenied, Evaluate(policy, "127.0.0.53").Reason);
    }

    [Fact]
    public void A_denied_entry_denies_public_addresses_in_any_encoding()
    {
        var policy = new PeerPolicy(new TurnOptions { DeniedPeers = ["8.8.8.0/24", "2606:4700::/32"] });

        Assert.Equal(new PeerDecision(OperatorDenied, IPAddress.Parse("8.8.8.8")), Evaluate(policy, "8.8.8.8"));
        Assert.Equal(OperatorDenied, Evaluate(policy, "::ffff:8.8.8.8").Reason);
        Assert.Equal(OperatorDenied, policy.Evaluate(PeerAddresses.SixToFour("8.8.8.8")).Reason);
        Assert.Equal(OperatorDenied, policy.Evaluate(PeerAddresses.Teredo("8.8.8.1", "1.1.1.1")).Reason);
        Assert.Equal(OperatorDenied, Evaluate(policy, "2606:4700::1111").Reason);
        Assert.True(policy.IsAllowed(IPAddress.Parse("8.8.4.4")));
    }

    [Fact]
    public void A_denied_IPv6_prefix_applies_to_the_IPv6_form_of_an_embedding_address()
    {
        var policy = new PeerPolicy(new TurnOptions { DeniedPeers = ["2002::/16"] });

        Assert.Equal(
            new PeerDecision(OperatorDenied, PeerAddresses.SixToFour("8.8.8.8")),
            policy.Evaluate(PeerAddresses.SixToFour("8.8.8.8")));
    }

    [Fact]
    public void AllowLoopbackPeers_opens_loopback_only()
    {
        var policy = new PeerPolicy(new TurnOptions { AllowLoopbackPeers = true });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("127.255.255.255")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Equal(Private, Evaluate(policy, "10.0.0.1").Reason);
        Assert.Equal(LinkLocal, Evaluate(policy, "169.254.169.254").Reason);
        Assert.Equal(Unspecified, Evaluate(policy, "0.0.0.0").Reason);
        Assert.Equal(Unspecified, Evaluate(policy, "::").Reason);
    }

    [Fact]
    public void Loopback_is_denied_unless_opened()
    {
        Assert.Equal(new PeerDecision(Loopback, IPAddress.Parse("127.0.0.1")), Evaluate(Default, "127.0.0.1"));
        Assert.Equal(new PeerDecision(Loopback, IPAddress.IPv6Loopback), Evaluate(Default, "::1"));
    }

    [Fact]
    public void No_configuration_opens_the_unspecified_addresses()
    {
        var policy = new PeerPolicy(new TurnOptions
        {
            AllowLoopbackPeers = true,
            AllowedPeers = ["0.0.0.0/0", "::/0"],
        });

        Assert.Equal(Unspecified, Evaluate(policy, "0.0.0.0").Reason);
        Assert.Equal(Unspecified, Evaluate(policy, "::").Reason);
        Assert.Equal(Unspecified, Evaluate(policy, "::ffff:0.0.0.0").Reason);
        Assert.Equal(Unspecified, policy.Evaluate(PeerAddresses.SixToFour("0.0.0.0")).Reason);
        Assert.True(policy.IsAllowed(IPAddress.Parse("0.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void Evaluating_a_plain_address_allocates_nothing()
    {
        var policy = new PeerPolicy(new TurnOptions { AllowedPeers = ["10.1.2.0/24"], DeniedPeers = ["8.8.4.0/24"] });
        IPAddress[] peers =
        [
            IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.1.2.3"), IPAddress.Parse("10.9.9.9"),
            IPAddress.Parse("8.8.4.4"), IPAddress.Parse("2606:4700::1111"), IPAddress.Parse("fd00::1"),
        ];
        foreach (var peer in peers)
        {
            policy.Evaluate(peer);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var peer in peers)
            {
                policy.IsAllowed(peer);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
