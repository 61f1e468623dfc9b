using Switchboard.Turn.Transports.Dtls;

namespace Switchboard.Turn.Tests.Dtls;

public sealed class ClientHelloTests
{
    /// <summary>A DTLS record holding a ClientHello handshake fragment of the given lengths.</summary>
    internal static byte[] Record(int messageLength, int fragmentOffset, int fragmentLength, ushort epoch = 0,
        byte contentType = 22, byte handshakeType = 1)
    {
        byte[] record = new byte[13 + 12 + fragmentLength];
        record[0] = contentType;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[3] = (byte)(epoch >> 8);
        record[4] = (byte)epoch;
        record[11] = (byte)((12 + fragmentLength) >> 8);
        record[12] = (byte)(12 + fragmentLength);
        record[13] = handshakeType;
        WriteUInt24(record, 14, messageLength);
        WriteUInt24(record, 19, fragmentOffset);
        WriteUInt24(record, 22, fragmentLength);
        for (int i = 0; i < fragmentLength; i++)
            record[25 + i] = (byte)(fragmentOffset + i);
        return record;
    }

    private static void WriteUInt24(byte[] buffer, int offset, int value)
    {
        buffer[offset] = (byte)(value >> 16);
        buffer[offset + 1] = (byte)(value >> 8);
        buffer[offset + 2] = (byte)value;
    }

    [Fact]
    public void WholeClientHello() => Assert.Equal(ClientHelloKind.Complete, ClientHello.Inspect(Record(100, 0, 100)));

    [Fact]
    public void Fragments()
    {
        Assert.Equal(ClientHelloKind.Fragment, ClientHello.Inspect(Record(300, 0, 100)));
        Assert.Equal(ClientHelloKind.Fragment, ClientHello.Inspect(Record(300, 200, 100)));
    }

    [Fact]
    public void FragmentBeyondItsMessageIsNothing() => Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(Record(300, 250, 100)));

    [Fact]
    public void OtherRecordsStartNothing()
    {
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(Record(100, 0, 100, epoch: 1)));
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(Record(100, 0, 100, contentType: 23)));
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(Record(100, 0, 100, handshakeType: 16)));
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(Record(100, 0, 100)[..60]));
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect([]));
        Assert.Equal(ClientHelloKind.None, ClientHello.Inspect(new byte[24]));
    }
}
