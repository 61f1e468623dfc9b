using System.Net;
using Switchboard.Turn.Configuration;

namespace Switchboard.Turn.Policy;

/// <summary>
/// Decides which peers a relay may reach (checked on CreatePermission and ChannelBind).
/// Every address a peer stands for (<see cref="PeerAddressNormalizer.GetAddressesToCheck"/>) must pass:
/// <list type="number">
/// <item>an entry of Turn:DeniedPeers denies;</item>
/// <item>an entry of Turn:AllowedPeers allows, opening a default-denied range;</item>
/// <item>Turn:AllowLoopbackPeers allows 127.0.0.0/8 and ::1;</item>
/// <item><see cref="DefaultDeniedPeers"/> denies;</item>
/// <item>anything else is allowed.</item>
/// </list>
/// The unspecified addresses 0.0.0.0 and :: reach this host and stay denied whatever the configuration.
/// </summary>
public sealed class PeerPolicy
{
    private static readonly IPNetwork LoopbackV4 = IPNetwork.Parse("127.0.0.0/8");
    private static readonly IPNetwork LoopbackV6 = IPNetwork.Parse("::1/128");

    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _denied;
    private readonly bool _allowLoopback;

    /// <exception cref="ArgumentException">An entry of AllowedPeers or DeniedPeers does not parse; see <see cref="Validate"/>.</exception>
    public PeerPolicy(TurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _allowed = Parse(options.AllowedPeers);
        _denied = Parse(options.DeniedPeers);
        _allowLoopback = options.AllowLoopbackPeers;
    }

    /// <summary>
    /// One message per unusable entry of AllowedPeers and DeniedPeers, naming its key,
    /// e.g. "Turn:DeniedPeers[2]: '10.0.0.1/33' is not an address or CIDR range: ...". Empty when all parse.
    /// </summary>
    public static IReadOnlyList<string> Validate(TurnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Validate(options.AllowedPeers, nameof(TurnOptions.AllowedPeers), errors);
        Validate(options.DeniedPeers, nameof(TurnOptions.DeniedPeers), errors);
        return errors;
    }

    public bool IsAllowed(IPAddress peer) => Evaluate(peer).IsAllowed;

    public PeerDecision Evaluate(IPAddress peer)
    {
        var addresses = PeerAddressNormalizer.GetAddressesToCheck(peer);
        foreach (var address in addresses)
        {
            if (Contains(_denied, address))
            {
                return new PeerDecision(PeerDenialReason.OperatorDenied, address);
            }
        }

        foreach (var address in addresses)
        {
            var reason = DefaultDeniedPeers.Match(address);
            if (reason != PeerDenialReason.None && (IsUnspecified(address) || !IsOpened(address)))
            {
                return new PeerDecision(reason, address);
            }
        }

        return PeerDecision.Allowed;
    }

    private bool IsOpened(IPAddress address) =>
        Contains(_allowed, address) || (_allowLoopback && (LoopbackV4.Contains(address) || LoopbackV6.Contains(address)));

    private static bool IsUnspecified(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static bool Contains(IPNetwork[] ranges, IPAddress address)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static void Validate(string[]? entries, string key, List<string> errors)
    {
        for (var i = 0; i < (entries?.Length ?? 0); i++)
        {
            if (!PeerRange.TryParse(entries![i], out _, out var error))
            {
                errors.Add($"{TurnOptions.Section}:{key}[{i}]: {error}");
            }
        }
    }

    private static IPNetwork[] Parse(string[]? entries) =>
        entries is null ? [] : Array.ConvertAll(entries, PeerRange.Parse);
}
