using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Turn.Configuration;

namespace Switchboard.Server.Configuration.Coturn;

/// <summary>
/// Turns the entries of a turnserver.conf into "Turn:*" configuration keys. Option semantics follow
/// coturn's set_option (src/apps/relay/mainrelay.c) and its manual (README.turnserver).
/// </summary>
internal sealed class CoturnTranslator
{
    private const string Prefix = TurnOptions.Section + ":";

    private readonly string _file;
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<CoturnIgnoredKey> _ignored = [];
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    private readonly List<IPAddress> _listen = [];
    private IPAddress? _relayV4;
    private IPAddress? _relayV6;
    private bool _externalSet;
    private readonly List<string> _allowedPeers = [];
    private readonly List<string> _deniedPeers = [];

    private readonly List<CoturnEntry> _users = [];
    private readonly List<CoturnEntry> _secrets = [];
    private CoturnEntry? _useAuthSecret;
    private CoturnEntry? _ltCredMech;
    private CoturnEntry? _noAuth;
    private CoturnEntry? _minPort;
    private CoturnEntry? _maxPort;

    private CoturnTranslator(string file) => _file = file;

    public static CoturnTranslation Translate(IEnumerable<CoturnEntry> entries, string file)
    {
        var translator = new CoturnTranslator(file);
        foreach (var entry in entries)
        {
            translator.Apply(entry);
        }

        translator.Finish();
        return new CoturnTranslation(translator._settings, translator._ignored, translator._errors, translator._warnings);
    }

    private void Apply(CoturnEntry e)
    {
        if (e.Key.Length == 0)
        {
            Error(e, "the line has no option name");
            return;
        }

        // coturn warns about this too: a ';' from another configuration syntax becomes part of the value.
        if ((e.Value ?? e.Key).EndsWith(';'))
        {
            Warning(e, $"{e.Key}: the line ends with ';', which is kept as part of the value");
        }

        switch (e.Key)
        {
            case "listening-port":
                SetPort(e, nameof(TurnOptions.Port));
                break;
            case "tls-listening-port":
                SetPort(e, nameof(TurnOptions.TlsPort));
                break;
            case "min-port":
                if (SetPort(e, nameof(TurnOptions.MinPort)))
                {
                    _minPort = e;
                }
                break;
            case "max-port":
                if (SetPort(e, nameof(TurnOptions.MaxPort)))
                {
                    _maxPort = e;
                }
                break;

            case "listening-ip":
                if (Address(e) is { } listen && !_listen.Contains(listen))
                {
                    _listen.Add(listen);
                }
                break;
            case "relay-ip":
                AddRelay(e);
                break;
            case "external-ip":
                SetExternal(e);
                break;

            case "realm":
                if (RequireValue(e) is { } realm)
                {
                    Set(nameof(TurnOptions.Realm), realm);
                }
                break;
            case "lt-cred-mech":
                if (Bool(e) is { } lt)
                {
                    _ltCredMech = lt ? e : null;
                }
                break;
            case "user":
                if (RequireValue(e) is not null)
                {
                    _users.Add(e);
                }
                break;
            case "use-auth-secret":
                if (Bool(e) is { } useSecret)
                {
                    _useAuthSecret = useSecret ? e : null;
                }
                break;
            case "static-auth-secret":
                if (e.Value is null)
                {
                    Error(e, "static-auth-secret needs a value: static-auth-secret=<shared secret>");
                }
                else
                {
                    _secrets.Add(e);
                }
                break;
            case "no-auth":
                if (Bool(e) is { } noAuth)
                {
                    _noAuth = noAuth ? e : null;
                    Set(nameof(TurnOptions.NoAuth), noAuth);
                }
                break;

            case "user-quota":
                SetInt(e, nameof(TurnOptions.UserQuota), min: 0);
                break;
            case "total-quota":
                SetInt(e, nameof(TurnOptions.TotalQuota), min: 0);
                break;
            case "max-bps":
                SetMaxBps(e);
                break;

            case "allowed-peer-ip":
                AddPeers(e, _allowedPeers);
                break;
            case "denied-peer-ip":
                AddPeers(e, _deniedPeers);
                break;
            case "allow-loopback-peers":
                if (Bool(e) is { } loopback)
                {
                    Set(nameof(TurnOptions.AllowLoopbackPeers), loopback);
                    if (loopback)
                    {
                        Warning(e, "allow-loopback-peers lets clients relay to this host's loopback services; use it for tests only");
                    }
                }
                break;

            case "no-tcp-relay":
                SetNegatedFlag(e, nameof(TurnOptions.AllowTcpRelay));
                break;
            case "no-udp":
                SetNegatedFlag(e, nameof(TurnOptions.EnableUdp));
                break;
            case "no-tcp":
                SetNegatedFlag(e, nameof(TurnOptions.EnableTcp));
                break;
            case "no-tls":
                SetNegatedFlag(e, nameof(TurnOptions.EnableTls));
                break;
            case "no-dtls":
                SetNegatedFlag(e, nameof(TurnOptions.EnableDtls));
                break;
            case "dtls":
                // coturn 4.17 and later start DTLS only with this flag; earlier versions started it unless no-dtls.
                if (Bool(e) is { } dtls)
                {
                    Set(nameof(TurnOptions.EnableDtls), dtls);
                }
                break;

            case "cert":
                SetPath(e, nameof(TurnOptions.CertificatePath));
                break;
            case "pkey":
                SetPath(e, nameof(TurnOptions.PrivateKeyPath));
                break;

            case "stale-nonce":
                SetStaleNonce(e);
                break;
            case "max-allocate-lifetime":
                // Without a value coturn uses its default of 3600 s (STUN_DEFAULT_MAX_ALLOCATE_LIFETIME).
                SetInt(e, nameof(TurnOptions.MaxLifetimeSeconds), min: 1, defaultValue: 3600);
                break;

            default:
                _ignored.Add(new CoturnIgnoredKey(e.Key, e.Line,
                    KnownCoturnOptions.Contains(e.Key) ? null : "not a coturn option"));
                break;
        }
    }

    private void Finish()
    {
        FinishAuthentication();

        if (_listen.Count > 0)
        {
            SetList(nameof(TurnOptions.ListenAddresses), _listen.Select(a => a.ToString()));
        }

        if (_relayV4 is not null)
        {
            Set(nameof(TurnOptions.RelayAddress), _relayV4.ToString());
            if (_relayV6 is not null)
            {
                Set(nameof(TurnOptions.RelayAddressV6), _relayV6.ToString());
            }
        }
        else if (_relayV6 is not null)
        {
            Set(nameof(TurnOptions.RelayAddress), _relayV6.ToString());
        }

        SetList(nameof(TurnOptions.AllowedPeers), _allowedPeers);
        SetList(nameof(TurnOptions.DeniedPeers), _deniedPeers);

        if (_minPort is not null || _maxPort is not null)
        {
            var defaults = new TurnOptions();
            int min = _minPort is null ? defaults.MinPort : int.Parse(_minPort.Value!, CultureInfo.InvariantCulture);
            int max = _maxPort is null ? defaults.MaxPort : int.Parse(_maxPort.Value!, CultureInfo.InvariantCulture);
            if (min > max)
            {
                Error(_maxPort ?? _minPort!,
                    $"the relay port range is empty: min-port {min} is above max-port {max}");
            }
        }
    }

    private void FinishAuthentication()
    {
        // coturn's use-auth-secret and static-auth-secret both select the TURN REST API mechanism,
        // so a secret on its own is accepted as coturn accepts it.
        if (_useAuthSecret is not null && _secrets.Count == 0)
        {
            Error(_useAuthSecret,
                "use-auth-secret is set without a secret: add a line 'static-auth-secret=<shared secret>' " +
                "(secrets kept in coturn's database are not read)");
        }

        bool restApi = _useAuthSecret is not null || _secrets.Count > 0;
        if (_noAuth is not null && (restApi || _ltCredMech is not null))
        {
            // coturn refuses this combination too ("-a and -z options cannot be used together").
            Error(_noAuth,
                $"no-auth cannot be combined with {(restApi ? "use-auth-secret/static-auth-secret" : "lt-cred-mech")}: remove one of them");
        }

        if (restApi)
        {
            SetList(nameof(TurnOptions.StaticAuthSecrets), _secrets.Select(s => s.Value!));
        }

        if (_users.Count > 0)
        {
            if (restApi)
            {
                // coturn does not load static accounts once use-auth-secret is on (add_static_user_account).
                foreach (var u in _users)
                {
                    _ignored.Add(new CoturnIgnoredKey(u.Key, u.Line, "coturn ignores user accounts when use-auth-secret is on"));
                }
            }
            else if (_noAuth is not null)
            {
                foreach (var u in _users)
                {
                    _ignored.Add(new CoturnIgnoredKey(u.Key, u.Line, "coturn ignores user accounts when no-auth is set"));
                }
            }
            else
            {
                var accounts = new List<string>();
                foreach (var u in _users)
                {
                    if (User(u) is { } account)
                    {
                        accounts.Add(account);
                    }
                }

                SetList(nameof(TurnOptions.Users), accounts);
            }
        }
        else if (_ltCredMech is not null && !restApi)
        {
            Warning(_ltCredMech,
                "lt-cred-mech is set but there is no user= line: coturn's user database is not read; add user=name:password lines");
        }

        if (_noAuth is null && !restApi && _users.Count == 0 && _ltCredMech is null)
        {
            _warnings.Add($"{_file}: no authentication is configured; coturn runs such a configuration as an open relay, " +
                          "Switchboard only with no-auth set explicitly. Add user=, use-auth-secret with static-auth-secret=, or no-auth");
        }
    }

    private string? User(CoturnEntry e)
    {
        string value = e.Value!;
        int colon = value.IndexOf(':');
        if (colon <= 0)
        {
            Error(e, "user must have the form user=name:password");
            return null;
        }

        string name = value[..colon];
        // coturn skips blanks after the ':' (add_static_user_account).
        string secret = value[(colon + 1)..].TrimStart(' ', '\t', '\n');
        if (secret.Length == 0)
        {
            Error(e, $"user '{name}' has no password: write user={name}:password");
            return null;
        }

        if (secret.StartsWith("0x", StringComparison.Ordinal))
        {
            Warning(e, $"user '{name}' is given as a turnadmin key (0x...), not a password; it is passed on as written, " +
                       "so the account only works if this key is accepted as such; otherwise write the password");
        }

        return $"{name}:{secret}";
    }

    private void AddRelay(CoturnEntry e)
    {
        if (Address(e) is not { } address)
        {
            return;
        }

        if (address.Equals(_relayV4) || address.Equals(_relayV6))
        {
            return; // coturn drops repeated relay addresses too
        }

        if (address.AddressFamily == AddressFamily.InterNetwork && _relayV4 is null)
        {
            _relayV4 = address;
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && _relayV6 is null)
        {
            _relayV6 = address;
        }
        else
        {
            string family = address.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
            _ignored.Add(new CoturnIgnoredKey(e.Key, e.Line, $"only the first {family} relay-ip is used"));
        }

    }

    private void SetExternal(CoturnEntry e)
    {
        if (RequireValue(e) is not { } value)
        {
            return;
        }

        // "public" or "public/private" (a 1:1 NAT mapping).
        int slash = value.IndexOf('/');
        string publicPart = slash < 0 ? value : value[..slash];
        if (!IpRange.TryParseLiteral(publicPart, out var publicAddress))
        {
            Error(e, $"external-ip: '{publicPart}' is not an IP address; write the public address (host names are not resolved)");
            return;
        }

        if (slash >= 0 && !IpRange.TryParseLiteral(value[(slash + 1)..], out _))
        {
            Error(e, $"external-ip: '{value[(slash + 1)..]}' is not an IP address; the form is external-ip=public or external-ip=public/private");
            return;
        }

        if (_externalSet)
        {
            _ignored.Add(new CoturnIgnoredKey(e.Key, e.Line, "only the first external-ip is used"));
            return;
        }

        _externalSet = true;
        Set(nameof(TurnOptions.ExternalAddress), publicAddress.ToString());
    }

    private void AddPeers(CoturnEntry e, List<string> list)
    {
        if (RequireValue(e) is not { } value)
        {
            return;
        }

        // coturn takes "address" or "first-last"; CIDR notation is refused by coturn as well.
        int dash = value.IndexOf('-');
        string firstText = dash < 0 ? value : value[..dash];
        if (!IpRange.TryParseLiteral(firstText, out var first))
        {
            Error(e, $"{e.Key}: '{firstText.Trim()}' is not an IP address; the form is {e.Key}=address or {e.Key}=first-last");
            return;
        }

        if (dash < 0)
        {
            list.Add(first.ToString());
            return;
        }

        string lastText = value[(dash + 1)..];
        if (!IpRange.TryParseLiteral(lastText, out var last))
        {
            Error(e, $"{e.Key}: '{lastText.Trim()}' is not an IP address; the form is {e.Key}=address or {e.Key}=first-last");
            return;
        }

        if (first.AddressFamily != last.AddressFamily)
        {
            Error(e, $"{e.Key}: the range {first}-{last} mixes IPv4 and IPv6");
            return;
        }

        try
        {
            list.AddRange(IpRange.ToCidrBlocks(first, last));
        }
        catch (ArgumentException)
        {
            Error(e, $"{e.Key}: the range {first}-{last} is empty: its start comes after its end; write {last}-{first}");
        }
    }

    private void SetMaxBps(CoturnEntry e)
    {
        if (RequireValue(e) is not { } value)
        {
            return;
        }

        // coturn's max-bps is in BYTES per second: README.turnserver, "-s, --max-bps  Max bytes-per-second
        // bandwidth a TURN session is allowed to handle (input and output network streams are treated
        // separately)"; set_option logs "%lu bytes per second allowed per session". Switchboard counts bits.
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytesPerSecond)
            || bytesPerSecond > long.MaxValue / 8)
        {
            Error(e, $"max-bps: '{value}' is not a number of bytes per second");
            return;
        }

        Set(nameof(TurnOptions.MaxBitsPerSecond), bytesPerSecond * 8);
    }

    private void SetStaleNonce(CoturnEntry e)
    {
        if (e.Value is null)
        {
            // The bare flag means coturn's default lifetime, 600 s (STUN_DEFAULT_NONCE_EXPIRATION_TIME).
            Set(nameof(TurnOptions.NonceLifetimeSeconds), 600);
            return;
        }

        if (!int.TryParse(e.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            Error(e, $"stale-nonce: '{e.Value}' is not a number of seconds");
            return;
        }

        if (seconds == 0)
        {
            _ignored.Add(new CoturnIgnoredKey(e.Key, e.Line,
                "0 (nonces never expire) has no equivalent; nonces expire after NonceLifetimeSeconds"));
            return;
        }

        Set(nameof(TurnOptions.NonceLifetimeSeconds), seconds);
    }

    private void SetPath(CoturnEntry e, string property)
    {
        if (RequireValue(e) is not { } path)
        {
            return;
        }

        if (!Path.IsPathRooted(path))
        {
            Warning(e, $"{e.Key}: '{path}' is a relative path; coturn also searched its configuration directories, " +
                       "here it is relative to the working directory. Prefer an absolute path");
        }

        Set(property, path);
    }

    private bool SetPort(CoturnEntry e, string property)
    {
        if (RequireValue(e) is not { } value)
        {
            return false;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            Error(e, $"{e.Key}: '{value}' is not a port number (1-65535)");
            return false;
        }

        Set(property, port);
        return true;
    }

    private void SetInt(CoturnEntry e, string property, int min, int? defaultValue = null)
    {
        if (e.Value is null && defaultValue is { } d)
        {
            Set(property, d);
            return;
        }

        if (RequireValue(e) is not { } value)
        {
            return;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min)
        {
            Error(e, $"{e.Key}: '{value}' is not a whole number of at least {min}");
            return;
        }

        Set(property, n);
    }

    private void SetNegatedFlag(CoturnEntry e, string property)
    {
        if (Bool(e) is { } flag)
        {
            Set(property, !flag);
        }
    }

    /// <summary>coturn's get_bool_value: no value is true; otherwise y/t/1-9/on are true and n/f/0/off false.</summary>
    private bool? Bool(CoturnEntry e)
    {
        string? s = e.Value;
        if (string.IsNullOrEmpty(s))
        {
            return true;
        }

        switch (s[0])
        {
            case '0' or 'n' or 'N' or 'f' or 'F':
                return false;
            case 'y' or 'Y' or 't' or 'T' or (> '0' and <= '9'):
                return true;
        }

        if (s is "off" or "OFF" or "Off")
        {
            return false;
        }

        if (s is "on" or "ON" or "On")
        {
            return true;
        }

        Error(e, $"{e.Key}: '{s}' is not a boolean; use on/off, yes/no, true/false or 1/0, or write the flag alone");
        return null;
    }

    private IPAddress? Address(CoturnEntry e)
    {
        if (RequireValue(e) is not { } value)
        {
            return null;
        }

        if (!IpRange.TryParseLiteral(value, out var address))
        {
            Error(e, $"{e.Key}: '{value}' is not an IP address (interface and host names are not resolved)");
            return null;
        }

        return address;
    }

    private string? RequireValue(CoturnEntry e)
    {
        if (e.Value is null)
        {
            Error(e, $"{e.Key} needs a value: {e.Key}=<value>");
        }

        return e.Value;
    }

    private void Set(string property, string value) => _settings[Prefix + property] = value;

    private void Set(string property, int value) => Set(property, value.ToString(CultureInfo.InvariantCulture));

    private void Set(string property, long value) => Set(property, value.ToString(CultureInfo.InvariantCulture));

    private void Set(string property, bool value) => Set(property, value ? "true" : "false");

    private void SetList(string property, IEnumerable<string> values)
    {
        int i = 0;
        foreach (var value in values)
        {
            _settings[$"{Prefix}{property}:{i++}"] = value;
        }
    }

    private void Error(CoturnEntry e, string message) => _errors.Add($"{_file}:{e.Line}: {message}");

    private void Warning(CoturnEntry e, string message) => _warnings.Add($"{_file}:{e.Line}: {message}");

    /// <summary>
    /// Option names coturn's turnserver accepts or accepted in a released version (long_options in
    /// src/apps/relay/mainrelay.c, 4.0 to 4.17). Anything else is reported as "not a coturn option",
    /// which usually means a typo.
    /// </summary>
    private static readonly HashSet<string> KnownCoturnOptions = new(StringComparer.Ordinal)
    {
        "listening-device", "listening-port", "tls-listening-port", "alt-listening-port", "alt-tls-listening-port",
        "tcp-proxy-port", "listening-ip", "relay-device", "relay-ip", "external-ip", "relay-threads", "min-port",
        "max-port", "sock-buf-size", "lt-cred-mech", "no-auth", "user", "userdb", "db", "psql-userdb", "sql-userdb",
        "mysql-userdb", "mongo-userdb", "redis-userdb", "redis-statsdb", "prometheus", "prometheus-port",
        "prometheus-address", "prometheus-path", "prometheus-username-labels", "prometheus-tls", "prometheus-cert",
        "prometheus-key", "use-auth-secret", "static-auth-secret", "no-auth-pings", "no-dynamic-ip-list",
        "no-dynamic-realms", "realm", "server-name", "oauth", "user-quota", "total-quota", "max-bps", "bps-capacity",
        "verbose", "Verbose", "daemon", "no-software-attribute", "software-attribute", "fingerprint",
        "check-origin-consistency", "no-udp", "no-tcp", "no-tls", "dtls", "no-dtls", "no-udp-relay", "no-tcp-relay",
        "stale-nonce", "max-allocate-lifetime", "channel-lifetime", "permission-lifetime", "stun-only", "no-stun",
        "cert", "raw-public-keys", "pkey", "pkey-pwd", "log-file", "no-stdout-log", "syslog", "simple-log",
        "log-min-level", "new-log-timestamp", "new-log-timestamp-format", "aux-server", "udp-self-balance",
        "alternate-server", "tls-alternate-server", "tcp-alternate-server", "udp-alternate-server",
        "rest-api-separator", "max-allocate-timeout", "drain-min-allocations", "no-multicast-peers",
        "allow-loopback-peers", "allowed-peer-ip", "denied-peer-ip", "cipher-list", "pidfile", "secure-stun",
        "CA-file", "dh-file", "proc-user", "proc-group", "mobility", "no-cli", "cli", "cli-ip", "cli-port",
        "cli-password", "web-admin", "web-admin-ip", "web-admin-port", "web-admin-listen-on-workers", "server-relay",
        "cli-max-output-sessions", "ec-curve-name", "dh566", "dh1066", "tlsv1", "tlsv1_1", "no-tlsv1_2",
        "secret-key-file", "keep-address-family", "allocation-default-address-family", "acme-redirect", "log-binding",
        "no-rfc5780", "rfc5780", "stun-backward-compatibility", "rfc5766-channel-numbers", "rfc3489-compatibility",
        "response-origin-only-with-rfc5780", "respond-http-unsupported", "drop-invalid-packets",
        "drop-invalid-packets-log", "udp-recvmmsg", "udp-recvmmsg-log", "udp-sendmmsg-log", "udp-gso",
        "include-reason-string", "multiplex-peer", "multiplex-peer-port", "multiplex-peer-max-peers", "version",
        "syslog-facility", "cpus", "unauthorized-ratelimit", "unauthorized-ratelimit-rps", "stateless-nonce",
        "stateless-nonce-secret",
        // removed in later versions
        "ne", "no-sslv2", "no-sslv3", "no-stun-backward-compatibility", "no-tlsv1", "no-tlsv1_1", "prod",
        "secret-ts-exp-time", "dh2066", "no-loopback-peers", "sha256", "st-cred-mech",
    };
}
