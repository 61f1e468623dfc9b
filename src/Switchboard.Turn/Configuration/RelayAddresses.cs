using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Switchboard.Turn.Configuration;

/// <summary>
/// The local addresses relay sockets bind to, per family, and what XOR-RELAYED-ADDRESS announces
/// (Turn:ExternalAddress when the server sits behind a 1:1 NAT, RFC 8656 §7.2 note).
/// </summary>
public sealed record RelayAddresses(IPAddress? V4, IPAddress? V6, IPAddress? ExternalV4, IPAddress? ExternalV6)
{
    public IPAddress? LocalFor(AddressFamily family) => family == AddressFamily.InterNetwork ? V4 : V6;

    public IPAddress? AnnouncedFor(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? ExternalV4 ?? V4 : ExternalV6 ?? V6;

    /// <summary>Reads the options; an empty RelayAddress picks this host's first usable address of each family.</summary>
    public static RelayAddresses From(TurnOptions options)
    {
        IPAddress? v4 = null, v6 = null;
        foreach (var text in new[] { options.RelayAddress, options.RelayAddressV6 })
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var address = IPAddress.Parse(text);
            if (address.AddressFamily == AddressFamily.InterNetwork) v4 ??= address; else v6 ??= address;
        }
        if (string.IsNullOrWhiteSpace(options.RelayAddress))
        {
            v4 ??= HostAddress(AddressFamily.InterNetwork);
            v6 ??= HostAddress(AddressFamily.InterNetworkV6);
        }
        IPAddress? external = string.IsNullOrWhiteSpace(options.ExternalAddress) ? null : IPAddress.Parse(options.ExternalAddress);
        return new RelayAddresses(v4, v6,
            external?.AddressFamily == AddressFamily.InterNetwork ? external : null,
            external?.AddressFamily == AddressFamily.InterNetworkV6 ? external : null);
    }

    /// <summary>The first up, non-loopback unicast address of a family (global IPv6 only), else loopback.</summary>
    private static IPAddress? HostAddress(AddressFamily family)
    {
        IPAddress? loopback = null;
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown)) continue;
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (address.AddressFamily != family) continue;
                if (IPAddress.IsLoopback(address)) { loopback ??= address; continue; }
                if (family == AddressFamily.InterNetworkV6 && (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)) continue;
                return address;
            }
        }
        return loopback;
    }
}
