using Microsoft.Extensions.Options;
using Switchboard.Protocols.Stun;
using Switchboard.Server.Signaling;
using Switchboard.Signaling;
using Switchboard.Signaling.Ice;
using Switchboard.Turn.Auth;
using Switchboard.Turn.Configuration;

namespace Switchboard.Server.Tests.Signaling;

public class TurnIceServerSourceTests
{
    static TurnIceServerSource Source(SignalingOptions? signaling = null, TurnOptions? turn = null) =>
        new(Options.Create(signaling ?? new SignalingOptions()), Options.Create(turn ?? new TurnOptions { StaticAuthSecrets = ["s3cret"] }), TimeProvider.System);

    [Fact]
    public void Own_stun_and_turn_urls_use_the_request_host_and_the_turn_ports()
    {
        var servers = Source(turn: new TurnOptions { Port = 3479, TlsPort = 5350, StaticAuthSecrets = ["s3cret"] }).For("alice", "media.example.org");
        Assert.Equal(["stun:media.example.org:3479"], servers[0].Urls);
        Assert.Equal(["turn:media.example.org:3479?transport=udp", "turn:media.example.org:3479?transport=tcp", "turns:media.example.org:5350?transport=tcp"], servers[1].Urls);
        Assert.EndsWith(":alice", servers[1].Username);
    }

    [Fact]
    public void The_minted_credential_is_accepted_by_the_turn_servers_credential_store()
    {
        var turn = Source().For("alice", "127.0.0.1").Single(s => s.Username is not null);
        var store = new CredentialStore("switchboard", [], ["s3cret"]);
        var expected = StunCredentials.LongTermKey(turn.Username!, "switchboard", turn.Credential!);
        var keys = store.KeysFor(turn.Username!, StunPasswordAlgorithm.Md5, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToList();
        Assert.Contains(keys, k => k.SequenceEqual(expected));
        // Two hours by default (docs/security.md): a credential copied out of a page works no longer than that.
        var expiry = long.Parse(turn.Username!.Split(':')[0]);
        Assert.InRange(expiry - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 2 * 3600 - 5, 2 * 3600 + 5);
    }

    [Fact]
    public void Configured_host_ipv6_brackets_turn_urls_for_a_separate_turn_server_and_extra_servers()
    {
        var ipv6 = Source().For("bob", "::1");
        Assert.Equal("stun:[::1]:3478", ipv6[0].Urls[0]);

        var separate = Source(new SignalingOptions
        {
            Ice = new IceOptions
            {
                Host = "turn.example.org",
                TurnUrls = ["turn:{host}:443?transport=tcp"],
                TurnSecret = "elsewhere",
                CredentialLifetimeSeconds = 600,
                ExtraServers = [new IceServer { Urls = ["stun:stun.example.net:3478"] }],
            },
        }, new TurnOptions { Enabled = false }).For("carol", "app.example.org");
        Assert.Equal(["turn:turn.example.org:443?transport=tcp"], separate[0].Urls);
        var store = new CredentialStore("r", [], ["elsewhere"]);
        Assert.Contains(store.KeysFor(separate[0].Username!, StunPasswordAlgorithm.Md5, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            k => k.SequenceEqual(StunCredentials.LongTermKey(separate[0].Username!, "r", separate[0].Credential!)));
        Assert.Equal("stun:stun.example.net:3478", separate[1].Urls[0]);
    }

    [Fact]
    public void No_credentials_when_turn_needs_none_and_no_turn_entry_without_a_secret()
    {
        var open = Source(turn: new TurnOptions { NoAuth = true }).For("x", "h");
        Assert.Null(open[1].Username);
        var usersOnly = Source(turn: new TurnOptions { Users = ["a:b"] }).For("x", "h");
        Assert.Equal(["stun:h:3478"], Assert.Single(usersOnly).Urls);
    }
}
