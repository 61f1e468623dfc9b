using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Transports;

/// <summary>
/// What per-source limits count by: an IPv4 address (IPv4-mapped IPv6 included), or the /64 prefix of an IPv6 address,
/// since one subscriber usually holds a whole /64 and could otherwise take a fresh address for every connection.
/// </summary>
public static class SourceKey
{
    public static IPAddress Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
