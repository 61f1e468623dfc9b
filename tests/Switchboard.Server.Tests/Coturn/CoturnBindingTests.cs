using Microsoft.Extensions.Configuration;
using Switchboard.Server.Configuration.Coturn;
using Switchboard.Turn.Configuration;

namespace Switchboard.Server.Tests.Coturn;

/// <summary>
/// The translation of a realistic turnserver.conf (TestData/turnserver.conf) binds to <see cref="TurnOptions"/>.
/// </summary>
public class CoturnBindingTests
{
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "Coturn", "TestData", "turnserver.conf");

    private static TurnOptions Bind(IReadOnlyDictionary<string, string?> settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .Build()
            .GetSection(TurnOptions.Section)
            .Get<TurnOptions>() ?? new TurnOptions();

    [Fact]
    public void Sample_file_translates_without_errors_or_warnings()
    {
        var t = CoturnConfigFile.Load(SamplePath);

        Assert.True(t.Succeeded, string.Join(Environment.NewLine, t.Errors));
        Assert.Empty(t.Warnings);
        Assert.Equal(
            "coturn keys ignored: verbose (line 20), fingerprint (line 21), cipher-list (line 43), log-file (line 55), " +
            "simple-log (line 56), pidfile (line 57), no-cli (line 58), no-multicast-peers (line 59)",
            t.FormatIgnored());
    }

    [Fact]
    public void Sample_file_binds_to_TurnOptions()
    {
        var t = CoturnConfigFile.Load(SamplePath);
        Assert.True(t.Succeeded, string.Join(Environment.NewLine, t.Errors));

        var o = Bind(t.Settings);

        Assert.Equal(3478, o.Port);
        Assert.Equal(5349, o.TlsPort);
        Assert.Equal("10.20.0.15", o.RelayAddress);
        Assert.Equal("fd00:20::15", o.RelayAddressV6);
        Assert.Equal("203.0.113.40", o.ExternalAddress);
        Assert.Equal(40000, o.MinPort);
        Assert.Equal(49999, o.MaxPort);
        Assert.Equal("turn.example.com", o.Realm);
        Assert.Equal(["5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f", "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"], o.StaticAuthSecrets);
        Assert.Empty(o.Users);
        Assert.False(o.NoAuth);
        Assert.Equal(1200, o.TotalQuota);
        Assert.Equal(12, o.UserQuota);
        Assert.Equal(1_000_000, o.MaxBitsPerSecond);
        Assert.Equal(600, o.NonceLifetimeSeconds);
        Assert.Equal(1800, o.MaxLifetimeSeconds);
        Assert.False(o.AllowTcpRelay);
        Assert.False(o.EnableDtls);
        Assert.True(o.EnableUdp);
        Assert.True(o.EnableTcp);
        Assert.True(o.EnableTls);
        Assert.Equal("/etc/ssl/turn/fullchain.pem", o.CertificatePath);
        Assert.Equal("/etc/ssl/turn/privkey.pem", o.PrivateKeyPath);
        Assert.Equal(
            ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
            o.DeniedPeers);
        Assert.Equal(["10.20.1.10"], o.AllowedPeers);

        // Settings the file does not mention keep their defaults.
        Assert.True(o.Enabled);
        Assert.Equal(256, o.MaxChannelsPerAllocation);
    }

    [Fact]
    public void Sample_file_listen_addresses_are_translated()
    {
        var t = CoturnConfigFile.Load(SamplePath);
        Assert.Equal("10.20.0.15", t.Settings["Turn:ListenAddresses:0"]);
        Assert.Equal("fd00:20::15", t.Settings["Turn:ListenAddresses:1"]);
        Assert.False(t.Settings.ContainsKey("Turn:ListenAddresses:2"));
    }

    [Fact]
    public void Users_flags_and_auth_bind()
    {
        var t = CoturnConfigFile.Translate(new StringReader("""
            realm=example.org
            user=alice:one
            user=bob:two
            no-udp
            no-tcp
            no-tls
            allow-loopback-peers
            stale-nonce=120
            """));
        Assert.True(t.Succeeded, string.Join(Environment.NewLine, t.Errors));

        var o = Bind(t.Settings);

        Assert.Equal("example.org", o.Realm);
        Assert.Equal(["alice:one", "bob:two"], o.Users);
        Assert.Empty(o.StaticAuthSecrets);
        Assert.False(o.EnableUdp);
        Assert.False(o.EnableTcp);
        Assert.False(o.EnableTls);
        Assert.True(o.EnableDtls);
        Assert.True(o.AllowLoopbackPeers);
        Assert.Equal(120, o.NonceLifetimeSeconds);
    }

    [Fact]
    public void No_auth_and_relay_IPv6_only_bind()
    {
        var t = CoturnConfigFile.Translate(new StringReader("no-auth\nrelay-ip=2001:db8::20"));
        var o = Bind(t.Settings);
        Assert.True(o.NoAuth);
        Assert.Equal("2001:db8::20", o.RelayAddress);
        Assert.Null(o.RelayAddressV6);
    }

    // The binder appends to a default array, so TurnOptions.ListenAddresses is empty by default.
    [Fact]
    public void Listen_addresses_bind()
    {
        var t = CoturnConfigFile.Translate(new StringReader("user=a:b\nlistening-ip=10.20.0.15\nlistening-ip=fd00:20::15"));
        var o = Bind(t.Settings);
        Assert.Equal(["10.20.0.15", "fd00:20::15"], o.ListenAddresses);
    }
}
