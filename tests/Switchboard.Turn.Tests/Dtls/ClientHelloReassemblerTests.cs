using System.Net;
using System.Net.Sockets;
using Switchboard.Turn.Transports.Dtls;

namespace Switchboard.Turn.Tests.Dtls;

public sealed class ClientHelloReassemblerTests
{
    private static readonly SocketAddress Client = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
    private static readonly SocketAddress Other = new IPEndPoint(IPAddress.Loopback, 40001).Serialize();

    private static byte[] Fragment(int offset, int length, int messageLength = 300, ushort messageSequence = 0, long recordSequence = 1)
    {
        byte[] record = ClientHelloTests.Record(messageLength, offset, length);
        record[17] = (byte)(messageSequence >> 8);
        record[18] = (byte)messageSequence;
        record[9] = (byte)(recordSequence >> 8);
        record[10] = (byte)recordSequence;
        return record;
    }

    private static void AssertWhole(byte[]? record, int messageLength = 300, ushort messageSequence = 0)
    {
        Assert.NotNull(record);
        Assert.Equal(ClientHelloKind.Complete, ClientHello.Inspect(record));
        Assert.True(ClientHello.TryReadFragment(record, out ClientHello.Fragment whole));
        Assert.Equal(messageLength, whole.MessageLength);
        Assert.Equal(messageSequence, whole.MessageSequence);
        for (int i = 0; i < messageLength; i++)
            Assert.Equal((byte)i, whole.Body[i]);
    }

    [Fact]
    public void PutsFragmentsTogetherInAnyOrderWithOverlapsAndRepeats()
    {
        var reassembler = new ClientHelloReassembler();
        Assert.Null(reassembler.Add(Client, Fragment(200, 100, recordSequence: 3)));
        Assert.Null(reassembler.Add(Client, Fragment(0, 120, recordSequence: 1)));
        Assert.Null(reassembler.Add(Client, Fragment(0, 120, recordSequence: 1)));
        byte[]? whole = reassembler.Add(Client, Fragment(100, 150, recordSequence: 2));

        AssertWhole(whole);
        Assert.Equal(3, whole![10]); // numbered like the latest fragment's record
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void ReadsEveryRecordOfADatagram()
    {
        var reassembler = new ClientHelloReassembler();
        byte[] datagram = [.. Fragment(0, 150), .. Fragment(150, 150, recordSequence: 2)];
        AssertWhole(reassembler.Add(Client, datagram));
    }

    [Fact]
    public void KeepsClientsApart()
    {
        var reassembler = new ClientHelloReassembler();
        Assert.Null(reassembler.Add(Client, Fragment(0, 150)));
        Assert.Null(reassembler.Add(Other, Fragment(150, 150)));
        Assert.Equal(2, reassembler.PendingCount);
        AssertWhole(reassembler.Add(Client, Fragment(150, 150)));
    }

    [Fact]
    public void ANewClientHelloReplacesAnUnfinishedOne()
    {
        var reassembler = new ClientHelloReassembler();
        Assert.Null(reassembler.Add(Client, Fragment(0, 150)));
        Assert.Null(reassembler.Add(Client, Fragment(0, 200, messageLength: 332, messageSequence: 1)));
        Assert.Null(reassembler.Add(Client, Fragment(150, 150))); // the old one's remainder
        AssertWhole(reassembler.Add(Client, Fragment(200, 132, messageLength: 332, messageSequence: 1)), 332, 1);
    }

    [Fact]
    public void IgnoresOversizedClientHellosAndJunk()
    {
        var reassembler = new ClientHelloReassembler(maxMessageLength: 1000);
        Assert.Null(reassembler.Add(Client, Fragment(0, 100, messageLength: 5000)));
        Assert.Null(reassembler.Add(Client, [1, 2, 3]));
        Assert.Null(reassembler.Add(Client, []));
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void HoldsABoundedNumberOfPartialClientHellos()
    {
        var reassembler = new ClientHelloReassembler(maxPending: 3);
        for (int port = 1; port <= 10; port++)
            reassembler.Add(new IPEndPoint(IPAddress.Loopback, port).Serialize(), Fragment(0, 100));

        Assert.Equal(3, reassembler.PendingCount);
    }

    [Fact]
    public async Task ForgetsPartialClientHellosAfterTheirLifetime()
    {
        var reassembler = new ClientHelloReassembler(maxPending: 1, lifetimeMillis: 100);
        Assert.Null(reassembler.Add(Client, Fragment(0, 100)));
        await Task.Delay(250);

        Assert.Null(reassembler.Add(Other, Fragment(0, 100))); // room again: the old one has expired
        Assert.Equal(1, reassembler.PendingCount);
        AssertWhole(reassembler.Add(Other, Fragment(100, 200)));
    }

    [Fact]
    public void WorksForIPv6Addresses()
    {
        var reassembler = new ClientHelloReassembler();
        SocketAddress address = new IPEndPoint(IPAddress.IPv6Loopback, 40000).Serialize();
        Assert.Equal(AddressFamily.InterNetworkV6, address.Family);
        Assert.Null(reassembler.Add(address, Fragment(0, 100)));
        AssertWhole(reassembler.Add(address, Fragment(100, 200)));
    }
}
