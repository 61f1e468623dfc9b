using System.Net;
using System.Net.Sockets;

namespace Switchboard.Signaling.Connections;

/// <summary>
/// Where a connection comes from, as the per-source cap counts it (<c>Signaling:MaxConnectionsPerAddress</c>): an IPv4
/// address, or the /64 network of an IPv6 address, since one IPv6 host is usually given a whole /64.
/// </summary>
public static class ConnectionSource
{
    public static string Of(IPAddress? address)
    {
        if (address is null) return "";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
