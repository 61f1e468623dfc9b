using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Signaling;
using Switchboard.Signaling.Ice;
using Switchboard.Turn.Configuration;

namespace Switchboard.Server.Signaling;

/// <summary>
/// Gives each participant Switchboard's own STUN/TURN servers with TURN REST API credentials minted for it
/// (username "expiry:identity", credential base64 HMAC-SHA1 of the username with the TURN secret), plus the
/// configured extra servers. Works with TURN in this process or elsewhere (Signaling:Ice:TurnUrls + TurnSecret).
/// </summary>
public sealed class TurnIceServerSource(IOptions<SignalingOptions> signaling, IOptions<TurnOptions> turn, TimeProvider time) : IIceServerSource
{
    public IReadOnlyList<IceServer> For(string identity, string requestHost)
    {
        var ice = signaling.Value.Ice;
        var turnOptions = turn.Value;
        var host = FormatHost(string.IsNullOrEmpty(ice.Host) ? requestHost : ice.Host);
        var servers = new List<IceServer>();
        var secret = !string.IsNullOrEmpty(ice.TurnSecret) ? ice.TurnSecret : turnOptions.StaticAuthSecrets.FirstOrDefault();

        if (ice.TurnUrls.Length > 0)
        {
            servers.Add(WithCredentials(ice.TurnUrls.Select(u => u.Replace("{host}", host, StringComparison.Ordinal)).ToArray(), secret, identity, ice, turnOptions.NoAuth));
        }
        else if (turnOptions.Enabled)
        {
            servers.Add(new IceServer { Urls = [$"stun:{host}:{turnOptions.Port}"] });
            var urls = new List<string>();
            if (turnOptions.EnableUdp) urls.Add($"turn:{host}:{turnOptions.Port}?transport=udp");
            if (turnOptions.EnableTcp) urls.Add($"turn:{host}:{turnOptions.Port}?transport=tcp");
            if (turnOptions.EnableTls) urls.Add($"turns:{host}:{turnOptions.TlsPort}?transport=tcp");
            if (urls.Count > 0 && (secret is not null || turnOptions.NoAuth)) servers.Add(WithCredentials([.. urls], secret, identity, ice, turnOptions.NoAuth));
        }
        servers.AddRange(ice.ExtraServers);
        return servers;
    }

    IceServer WithCredentials(string[] urls, string? secret, string identity, IceOptions ice, bool noAuth)
    {
        if (noAuth || secret is null) return new IceServer { Urls = urls };
        var expiry = time.GetUtcNow().AddSeconds(ice.CredentialLifetimeSeconds).ToUnixTimeSeconds();
        var username = $"{expiry}:{identity}";
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return new IceServer { Urls = urls, Username = username, Credential = credential };
    }

    /// <summary>IPv6 literals go in brackets in stun:/turn: URLs (RFC 7064 §3.1, RFC 7065 §3.1).</summary>
    static string FormatHost(string host) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !host.StartsWith('[')
            ? $"[{host}]" : host;
}
