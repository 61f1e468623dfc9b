using Switchboard.Server.Configuration.Coturn;

namespace Switchboard.Server.Tests.Coturn;

public class CoturnTranslationTests
{
    // Most cases add a user so that the "no authentication" warning does not get in the way.
    private static CoturnTranslation T(string text) => CoturnConfigFile.Translate(new StringReader(text), "test.conf");

    private static CoturnTranslation Ok(string text)
    {
        var t = T(text);
        Assert.True(t.Succeeded, string.Join(Environment.NewLine, t.Errors));
        return t;
    }

    private static string? Get(CoturnTranslation t, string key) => t.Settings.TryGetValue(key, out var v) ? v : null;

    private static string[] List(CoturnTranslation t, string key) =>
        Enumerable.Range(0, 100)
            .Select(i => Get(t, $"{key}:{i}"))
            .TakeWhile(v => v is not null)
            .Select(v => v!)
            .ToArray();

    private static string OnlyError(CoturnTranslation t) => Assert.Single(t.Errors);

    // ---- ports ----

    [Fact]
    public void Ports()
    {
        var t = Ok("listening-port=3479\ntls-listening-port=5350\nmin-port=40000\nmax-port=40100");
        Assert.Equal("3479", Get(t, "Turn:Port"));
        Assert.Equal("5350", Get(t, "Turn:TlsPort"));
        Assert.Equal("40000", Get(t, "Turn:MinPort"));
        Assert.Equal("40100", Get(t, "Turn:MaxPort"));
    }

    [Theory]
    [InlineData("listening-port=abc", 1, "listening-port: 'abc' is not a port number")]
    [InlineData("realm=x\ntls-listening-port=70000", 2, "tls-listening-port: '70000' is not a port number")]
    [InlineData("\n\nmin-port=-1", 3, "min-port: '-1' is not a port number")]
    [InlineData("max-port=0", 1, "max-port: '0' is not a port number")]
    [InlineData("# c\nlistening-port=3478 # main port", 2, "listening-port: '3478 # main port' is not a port number")]
    [InlineData("listening-port", 1, "listening-port needs a value")]
    public void Bad_ports_name_file_and_line(string text, int line, string message)
    {
        var error = OnlyError(T(text));
        Assert.StartsWith($"test.conf:{line}: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Empty_relay_port_range_is_an_error()
    {
        Assert.StartsWith("test.conf:2: ", OnlyError(T("min-port=50000\nmax-port=40000")));
        // Against the default max-port 65535 / min-port 49152.
        Assert.Contains("min-port 49152 is above max-port 30000", OnlyError(T("max-port=30000")));
    }

    [Fact]
    public void Last_occurrence_of_a_single_valued_key_wins()
    {
        var t = Ok("listening-port=3478\nlistening-port=3479");
        Assert.Equal("3479", Get(t, "Turn:Port"));
    }

    // ---- addresses ----

    [Fact]
    public void Listening_ips_repeat_and_repeats_collapse()
    {
        var t = Ok("listening-ip=10.0.0.5\nlistening-ip=2001:db8::5\nlistening-ip=10.0.0.5\nlistening-ip=2001:DB8:0::5");
        Assert.Equal(["10.0.0.5", "2001:db8::5"], List(t, "Turn:ListenAddresses"));
    }

    [Fact]
    public void Without_listening_ip_the_default_addresses_stay()
    {
        var t = Ok("listening-port=3478");
        Assert.DoesNotContain(t.Settings.Keys, k => k.StartsWith("Turn:ListenAddresses", StringComparison.Ordinal));
    }

    [Fact]
    public void Relay_ips_first_of_each_family()
    {
        var t = Ok("relay-ip=2001:db8::7\nrelay-ip=10.0.0.7\nrelay-ip=10.0.0.8\nrelay-ip=2001:db8::8\nrelay-ip=10.0.0.7");
        Assert.Equal("10.0.0.7", Get(t, "Turn:RelayAddress"));
        Assert.Equal("2001:db8::7", Get(t, "Turn:RelayAddressV6"));
        Assert.Equal(
            ["relay-ip (line 3: only the first IPv4 relay-ip is used)", "relay-ip (line 4: only the first IPv6 relay-ip is used)"],
            t.Ignored.Select(i => i.ToString()));
    }

    [Fact]
    public void Relay_ip_IPv4_only()
    {
        var t = Ok("relay-ip=10.0.0.7");
        Assert.Equal("10.0.0.7", Get(t, "Turn:RelayAddress"));
        Assert.Null(Get(t, "Turn:RelayAddressV6"));
    }

    [Fact]
    public void Relay_ip_IPv6_only_goes_to_RelayAddress()
    {
        var t = Ok("relay-ip=2001:db8::7");
        Assert.Equal("2001:db8::7", Get(t, "Turn:RelayAddress"));
        Assert.False(t.Settings.ContainsKey("Turn:RelayAddressV6"));
    }

    [Theory]
    [InlineData("relay-ip=eth0")]
    [InlineData("listening-ip=turn.example.com")]
    [InlineData("relay-ip=10.1")]
    public void Addresses_must_be_literals(string text)
    {
        var error = OnlyError(T(text));
        Assert.StartsWith("test.conf:1: ", error);
        Assert.Contains("is not an IP address", error);
    }

    [Theory]
    [InlineData("external-ip=203.0.113.9", "203.0.113.9")]
    [InlineData("external-ip=203.0.113.9/10.0.0.9", "203.0.113.9")]
    [InlineData("external-ip=2001:db8::9/fd00::9", "2001:db8::9")]
    public void External_ip_takes_the_public_part(string text, string expected)
    {
        Assert.Equal(expected, Get(Ok(text), "Turn:ExternalAddress"));
    }

    [Fact]
    public void Second_external_ip_is_reported()
    {
        var t = Ok("external-ip=203.0.113.9/10.0.0.9\nexternal-ip=2001:db8::9/fd00::9");
        Assert.Equal("203.0.113.9", Get(t, "Turn:ExternalAddress"));
        Assert.Equal("external-ip (line 2: only the first external-ip is used)", Assert.Single(t.Ignored).ToString());
    }

    [Theory]
    [InlineData("external-ip=turn.example.com")]
    [InlineData("external-ip=203.0.113.9/private")]
    [InlineData("external-ip")]
    public void Bad_external_ip(string text)
    {
        Assert.StartsWith("test.conf:1: external-ip", OnlyError(T(text)));
    }

    // ---- authentication ----

    [Fact]
    public void Realm_and_users()
    {
        var t = Ok("lt-cred-mech\nrealm=example.org\nuser=alice:s3cret\nuser=bob:pa:ss word\nuser=carol: lead");
        Assert.Equal("example.org", Get(t, "Turn:Realm"));
        Assert.Equal(["alice:s3cret", "bob:pa:ss word", "carol:lead"], List(t, "Turn:Users"));
        Assert.Empty(t.Ignored);
        Assert.Empty(t.Warnings);
        Assert.False(t.Settings.ContainsKey("Turn:NoAuth"));
    }

    [Fact]
    public void Users_without_lt_cred_mech_are_accepted()
    {
        // coturn turns the long-term mechanism on by itself when it sees user accounts.
        var t = Ok("user=alice:s3cret");
        Assert.Equal(["alice:s3cret"], List(t, "Turn:Users"));
        Assert.Empty(t.Warnings);
    }

    [Theory]
    [InlineData("user=alice")]
    [InlineData("user=:pw")]
    [InlineData("user=alice:")]
    public void Malformed_user(string text)
    {
        var error = OnlyError(T(text));
        Assert.StartsWith("test.conf:1: user", error);
        Assert.DoesNotContain("pw", error);
    }

    [Fact]
    public void User_with_a_turnadmin_key_is_passed_on_with_a_warning()
    {
        var t = Ok("user=alice:0x7e5b1f2c9a0d3e4f5a6b7c8d9e0f1a2b");
        Assert.Equal(["alice:0x7e5b1f2c9a0d3e4f5a6b7c8d9e0f1a2b"], List(t, "Turn:Users"));
        Assert.StartsWith("test.conf:1: user 'alice' is given as a turnadmin key", Assert.Single(t.Warnings));
    }

    [Fact]
    public void Static_auth_secrets_repeat()
    {
        var t = Ok("use-auth-secret\nstatic-auth-secret=first\nstatic-auth-secret=second\nrealm=example.org");
        Assert.Equal(["first", "second"], List(t, "Turn:StaticAuthSecrets"));
        Assert.Empty(t.Warnings);
    }

    [Theory]
    [InlineData("realm=x\nstatic-auth-secret=north")]
    [InlineData("use-auth-secret\nuse-auth-secret=false\nstatic-auth-secret=north")]
    public void Static_auth_secret_alone_enables_rest_credentials_as_in_coturn(string conf)
    {
        var t = Ok(conf);
        Assert.Equal("north", t.Settings["Turn:StaticAuthSecrets:0"]);
    }

    [Fact]
    public void Use_auth_secret_without_a_secret_says_what_to_add()
    {
        var error = OnlyError(T("realm=x\n\nuse-auth-secret"));
        Assert.StartsWith("test.conf:3: ", error);
        Assert.Contains("add a line 'static-auth-secret=<shared secret>'", error);
    }

    [Fact]
    public void Users_are_dropped_when_the_rest_api_is_on_as_coturn_does()
    {
        var t = Ok("user=alice:pw\nuse-auth-secret\nstatic-auth-secret=s");
        Assert.Empty(List(t, "Turn:Users"));
        Assert.Equal("user (line 1: coturn ignores user accounts when use-auth-secret is on)", Assert.Single(t.Ignored).ToString());
    }

    [Fact]
    public void No_auth()
    {
        var t = Ok("no-auth");
        Assert.Equal("true", Get(t, "Turn:NoAuth"));
        Assert.Empty(t.Warnings);
        Assert.Equal("false", Get(Ok("user=a:b\nno-auth=off"), "Turn:NoAuth"));
    }

    [Fact]
    public void No_auth_drops_users_as_coturn_does()
    {
        var t = Ok("no-auth\nuser=alice:pw");
        Assert.Equal("true", Get(t, "Turn:NoAuth"));
        Assert.Empty(List(t, "Turn:Users"));
        Assert.Equal("user (line 2: coturn ignores user accounts when no-auth is set)", Assert.Single(t.Ignored).ToString());
    }

    [Theory]
    [InlineData("lt-cred-mech\nno-auth")]
    [InlineData("no-auth\nuse-auth-secret\nstatic-auth-secret=s")]
    public void No_auth_with_credentials_is_an_error(string text)
    {
        Assert.Contains("no-auth cannot be combined", OnlyError(T(text)));
    }

    [Fact]
    public void No_authentication_at_all_is_a_warning_not_an_open_relay()
    {
        var t = Ok("listening-port=3478");
        Assert.False(t.Settings.ContainsKey("Turn:NoAuth"));
        Assert.StartsWith("test.conf: no authentication is configured", Assert.Single(t.Warnings));
    }

    [Fact]
    public void Lt_cred_mech_alone_warns_about_the_database()
    {
        var t = Ok("lt-cred-mech\nrealm=x\nuserdb=/var/lib/turn/turndb");
        Assert.Contains("lt-cred-mech is set but there is no user= line", Assert.Single(t.Warnings));
        Assert.Equal("coturn keys ignored: userdb (line 3)", t.FormatIgnored());
    }

    // ---- limits ----

    [Fact]
    public void Quotas()
    {
        var t = Ok("user=a:b\nuser-quota=10\ntotal-quota=500");
        Assert.Equal("10", Get(t, "Turn:UserQuota"));
        Assert.Equal("500", Get(t, "Turn:TotalQuota"));
    }

    [Fact]
    public void Max_bps_is_bytes_per_second_in_coturn()
    {
        Assert.Equal("1000000", Get(Ok("max-bps=125000"), "Turn:MaxBitsPerSecond"));
        Assert.Equal("0", Get(Ok("max-bps=0"), "Turn:MaxBitsPerSecond"));
    }

    [Theory]
    [InlineData("user-quota=ten", "user-quota: 'ten' is not a whole number")]
    [InlineData("total-quota=-5", "total-quota: '-5' is not a whole number")]
    [InlineData("max-bps=1M", "max-bps: '1M' is not a number of bytes per second")]
    [InlineData("max-bps=9223372036854775807", "max-bps: '9223372036854775807' is not a number")]
    [InlineData("stale-nonce=ten", "stale-nonce: 'ten' is not a number of seconds")]
    [InlineData("max-allocate-lifetime=0", "max-allocate-lifetime: '0' is not a whole number of at least 1")]
    public void Bad_numbers_name_file_and_line(string text, string message)
    {
        var error = OnlyError(T("user=a:b\n" + text));
        Assert.StartsWith("test.conf:2: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Stale_nonce()
    {
        Assert.Equal("300", Get(Ok("stale-nonce=300"), "Turn:NonceLifetimeSeconds"));
        // The bare flag is coturn's default lifetime.
        Assert.Equal("600", Get(Ok("stale-nonce"), "Turn:NonceLifetimeSeconds"));

        var t = Ok("user=a:b\nstale-nonce=0");
        Assert.False(t.Settings.ContainsKey("Turn:NonceLifetimeSeconds"));
        Assert.Equal("stale-nonce", Assert.Single(t.Ignored).Key);
    }

    [Fact]
    public void Max_allocate_lifetime()
    {
        Assert.Equal("1800", Get(Ok("max-allocate-lifetime=1800"), "Turn:MaxLifetimeSeconds"));
        Assert.Equal("3600", Get(Ok("max-allocate-lifetime"), "Turn:MaxLifetimeSeconds"));
    }

    // ---- peers ----

    [Fact]
    public void Peer_addresses_and_ranges_become_cidr_blocks()
    {
        var t = Ok("""
            user=a:b
            denied-peer-ip=10.0.0.0-10.255.255.255
            denied-peer-ip=10.0.0.1-10.0.0.6
            denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
            denied-peer-ip = 192.168.0.0 - 192.168.255.255
            allowed-peer-ip=10.1.2.3
            allowed-peer-ip=2001:db8::1-2001:db8::4
            """);

        Assert.Equal(
            ["10.0.0.0/8", "10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32", "fc00::/7", "192.168.0.0/16"],
            List(t, "Turn:DeniedPeers"));
        Assert.Equal(["10.1.2.3", "2001:db8::1/128", "2001:db8::2/127", "2001:db8::4/128"], List(t, "Turn:AllowedPeers"));
    }

    [Fact]
    public void Range_with_start_after_end_is_an_error()
    {
        var error = OnlyError(T("user=a:b\n\ndenied-peer-ip=10.0.0.9-10.0.0.1"));
        Assert.StartsWith("test.conf:3: denied-peer-ip: the range 10.0.0.9-10.0.0.1 is empty", error);
    }

    [Theory]
    [InlineData("allowed-peer-ip=10.0.0.1-::1", "mixes IPv4 and IPv6")]
    [InlineData("allowed-peer-ip=10.0.0.0/8", "'10.0.0.0/8' is not an IP address")]
    [InlineData("denied-peer-ip=10.0.0.1-x", "'x' is not an IP address")]
    [InlineData("denied-peer-ip", "denied-peer-ip needs a value")]
    public void Bad_peer_values(string text, string message)
    {
        var error = OnlyError(T("user=a:b\n" + text));
        Assert.StartsWith("test.conf:2: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Allow_loopback_peers_is_translated_with_a_warning()
    {
        var t = Ok("user=a:b\nallow-loopback-peers");
        Assert.Equal("true", Get(t, "Turn:AllowLoopbackPeers"));
        Assert.Single(t.Warnings);
    }

    // ---- listeners and transports ----

    [Fact]
    public void Transport_flags()
    {
        var t = Ok("user=a:b\nno-udp\nno-tcp\nno-tls\nno-dtls\nno-tcp-relay");
        Assert.Equal("false", Get(t, "Turn:EnableUdp"));
        Assert.Equal("false", Get(t, "Turn:EnableTcp"));
        Assert.Equal("false", Get(t, "Turn:EnableTls"));
        Assert.Equal("false", Get(t, "Turn:EnableDtls"));
        Assert.Equal("false", Get(t, "Turn:AllowTcpRelay"));
    }

    [Theory]
    [InlineData("no-udp=false", "true")]
    [InlineData("no-udp=0", "true")]
    [InlineData("no-udp=off", "true")]
    [InlineData("no-udp=no", "true")]
    [InlineData("no-udp=true", "false")]
    [InlineData("no-udp=yes", "false")]
    [InlineData("no-udp=1", "false")]
    [InlineData("no-udp=On", "false")]
    [InlineData("--no-udp", "false")]
    [InlineData("no-udp\nno-udp=false", "true")]
    public void Flags_take_coturn_boolean_values(string text, string enableUdp)
    {
        Assert.Equal(enableUdp, Get(Ok("user=a:b\n" + text), "Turn:EnableUdp"));
    }

    [Fact]
    public void Bad_boolean_is_an_error()
    {
        Assert.StartsWith("test.conf:2: no-tcp: 'maybe' is not a boolean", OnlyError(T("user=a:b\nno-tcp=maybe")));
    }

    [Fact]
    public void Dtls_flag_of_newer_coturn()
    {
        Assert.Equal("true", Get(Ok("user=a:b\ndtls"), "Turn:EnableDtls"));
    }

    [Fact]
    public void Certificate_and_key()
    {
        var t = Ok("user=a:b\ncert=/etc/ssl/turn/cert.pem\npkey=\"/etc/ssl/turn/key.pem\"");
        Assert.Equal("/etc/ssl/turn/cert.pem", Get(t, "Turn:CertificatePath"));
        Assert.Equal("/etc/ssl/turn/key.pem", Get(t, "Turn:PrivateKeyPath"));
        Assert.Empty(t.Warnings);
    }

    [Fact]
    public void Relative_certificate_path_warns()
    {
        var t = Ok("user=a:b\ncert=turn_server_cert.pem");
        Assert.Equal("turn_server_cert.pem", Get(t, "Turn:CertificatePath"));
        Assert.StartsWith("test.conf:2: cert: 'turn_server_cert.pem' is a relative path", Assert.Single(t.Warnings));
    }

    // ---- ignored keys ----

    [Fact]
    public void Unsupported_keys_are_reported_by_name_and_line()
    {
        var t = Ok("""
            user=a:b
            lt-cred-mech
            verbose
            # comment
            fingerprint
            log-file=/var/log/turn.log
            pidfile="/var/run/turnserver.pid"
            cli-password=secret
            no-cli
            listen-port=3478
            """);

        Assert.Equal(
            [
                new CoturnIgnoredKey("verbose", 3),
                new CoturnIgnoredKey("fingerprint", 5),
                new CoturnIgnoredKey("log-file", 6),
                new CoturnIgnoredKey("pidfile", 7),
                new CoturnIgnoredKey("cli-password", 8),
                new CoturnIgnoredKey("no-cli", 9),
                new CoturnIgnoredKey("listen-port", 10, "not a coturn option"),
            ],
            t.Ignored);
        Assert.Equal(
            "coturn keys ignored: verbose (line 3), fingerprint (line 5), log-file (line 6), pidfile (line 7), " +
            "cli-password (line 8), no-cli (line 9), listen-port (line 10: not a coturn option)",
            t.FormatIgnored());
        Assert.DoesNotContain("secret", t.FormatIgnored());
        Assert.Equal(["a:b"], List(t, "Turn:Users"));
        Assert.Single(t.Settings);
    }

    [Fact]
    public void Nothing_ignored_formats_as_null()
    {
        Assert.Null(Ok("user=a:b").FormatIgnored());
    }

    [Fact]
    public void Option_names_are_case_sensitive()
    {
        var t = Ok("user=a:b\nListening-Port=1");
        Assert.False(t.Settings.ContainsKey("Turn:Port"));
        Assert.Equal("Listening-Port (line 2: not a coturn option)", Assert.Single(t.Ignored).ToString());
    }

    [Fact]
    public void Trailing_semicolon_warns()
    {
        var t = Ok("user=a:b\nrealm=example.org;");
        Assert.Equal("example.org;", Get(t, "Turn:Realm"));
        Assert.StartsWith("test.conf:2: realm: the line ends with ';'", Assert.Single(t.Warnings));
    }

    [Fact]
    public void All_errors_are_collected()
    {
        var t = T("listening-port=x\nmin-port=y\nrelay-ip=z\nuse-auth-secret");
        Assert.Equal(4, t.Errors.Count);
        Assert.False(t.Succeeded);
        Assert.Equal(["test.conf:1: ", "test.conf:2: ", "test.conf:3: ", "test.conf:4: "], t.Errors.Select(e => e[..13]));
    }

    [Fact]
    public void Missing_file_is_an_error_not_an_exception()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "turnserver.conf");
        var t = CoturnConfigFile.Load(path);
        Assert.StartsWith($"{path}: cannot read", OnlyError(t));
        Assert.Empty(t.Settings);
    }
}
