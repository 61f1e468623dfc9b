using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Allocations;

namespace Switchboard.Turn.Tests.Allocations;

public class PeerKeyTests
{
    [Theory]
    [InlineData("198.51.100.7", 40000)]
    [InlineData("2001:db8::1:2", 3479)]
    public void WriteTo_gives_the_same_native_address_as_IPEndPoint_Serialize(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var expected = endPoint.Serialize();
        var written = new SocketAddress(endPoint.AddressFamily);

        PeerKey.From(endPoint.Address).WriteTo(written, (ushort)port);

        Assert.Equal(expected, written);
        Assert.Equal(endPoint, (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(written));
    }

    [Theory]
    [InlineData("198.51.100.7", 40000)]
    [InlineData("2001:db8::1:2", 3479)]
    public void Key_from_decoded_bytes_equals_key_from_IPAddress(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        var transactionId = StunTransactionId.NewRandom();
        Span<byte> value = stackalloc byte[20];
        value = value[..StunAddress.EncodedLength(endPoint.Address)];
        StunAddress.Encode(value, endPoint, transactionId);

        Span<byte> bytes = stackalloc byte[16];
        Assert.True(StunAddress.TryDecode(value, transactionId, bytes, out int length, out int decodedPort));

        Assert.Equal(PeerKey.From(endPoint.Address), PeerKey.From(bytes[..length]));
        Assert.Equal(port, decodedPort);
        Assert.Equal(endPoint.AddressFamily == AddressFamily.InterNetworkV6, PeerKey.From(bytes[..length]).IsIPv6);
    }
}
