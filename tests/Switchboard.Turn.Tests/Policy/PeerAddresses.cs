using System.Net;

namespace Switchboard.Turn.Tests.Policy;

/// <summary>Builds IPv6 addresses that embed IPv4 addresses.</summary>
internal static class PeerAddresses
{
    /// <summary>A Teredo address (RFC 4380 §4): 2001:0:server:flags:~port:~client.</summary>
    public static IPAddress Teredo(string server, string client)
    {
        var bytes = new byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        IPAddress.Parse(server).GetAddressBytes().CopyTo(bytes, 4);
        bytes[8] = 0x80;
        bytes[10] = 0x63;
        bytes[11] = 0xBF;
        var clientBytes = IPAddress.Parse(client).GetAddressBytes();
        for (var i = 0; i < 4; i++)
        {
            bytes[12 + i] = (byte)~clientBytes[i];
        }

        return new IPAddress(bytes);
    }

    /// <summary>A 6to4 address (RFC 3056): 2002:AABB:CCDD::1.</summary>
    public static IPAddress SixToFour(string site)
    {
        var bytes = new byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x02;
        IPAddress.Parse(site).GetAddressBytes().CopyTo(bytes, 2);
        bytes[15] = 1;
        return new IPAddress(bytes);
    }
}
