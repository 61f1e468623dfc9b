using System.Buffers.Binary;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server;

/// <summary>
/// What the server does with bytes that are not a well-formed request: a request whose header is intact
/// gets 400 with its transaction ID; everything else is dropped without an answer or an exception.
/// </summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly TurnHarness _turn = new();

    public void Dispose() => _turn.Dispose();

    private static byte[] Binding(out byte[] transactionId, params (ushort Type, byte[] Value)[] attributes)
    {
        var request = new StunRequest(StunMethod.Binding);
        foreach (var (type, value) in attributes) request.Add(type, value);
        transactionId = request.TransactionId;
        return request.Build();
    }

    private void AssertBadRequest(byte[] message, byte[] transactionId, ClientTransport transport = ClientTransport.Udp)
    {
        var client = _turn.Client(transport: transport);
        var response = client.SendRaw(message);
        Assert.NotNull(response);
        response.AssertError(StunMethod.Binding, StunErrorCode.BadRequest);
        Assert.Equal(transactionId, response.TransactionId);
    }

    private void AssertNoAnswer(byte[] message, ClientTransport transport = ClientTransport.Udp)
    {
        var client = _turn.Client(transport: transport);
        Assert.Null(client.SendRaw(message));
        Assert.Equal(0, client.Connection.PendingCount);
    }

    [Fact]
    public void LengthLongerThanTheDatagram_Gets400()
    {
        var message = Binding(out var id, (0x8022, [1, 2, 3, 4]));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 12);

        AssertBadRequest(message, id);
    }

    [Fact]
    public void LengthShorterThanTheDatagram_Gets400()
    {
        var message = Binding(out var id, (0x8022, [1, 2, 3, 4]), (0x8022, [5, 6, 7, 8]));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 8);

        AssertBadRequest(message, id);
    }

    [Fact]
    public void LengthNotAMultipleOfFour_Gets400()
    {
        var message = Binding(out var id, (0x8022, [1, 2, 3, 4]));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 6);

        AssertBadRequest(message, id);
    }

    [Fact]
    public void TruncatedAttribute_Gets400()
    {
        var message = Binding(out var id, (0x8022, [1, 2, 3, 4]));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(22), 8); // the value claims 8 bytes, 4 follow

        AssertBadRequest(message, id);
    }

    [Fact]
    public void AttributeRunningPastTheEnd_Gets400()
    {
        // Header length 4: one attribute header announcing 4 bytes of value that are not there.
        var id = new StunRequest(StunMethod.Binding).TransactionId;
        var message = new byte[24];
        BinaryPrimitives.WriteUInt16BigEndian(message, 0x0001);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 4);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), StunConstants.MagicCookie);
        id.CopyTo(message, 8);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(20), 0x8022);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(22), 4);

        AssertBadRequest(message, id);
    }

    [Fact]
    public void MessageIntegrityOfWrongLength_Gets400()
    {
        var message = Binding(out var id, (0x0008, new byte[16]));

        AssertBadRequest(message, id);
    }

    [Fact]
    public void AttributeAfterFingerprint_Gets400()
    {
        var request = new StunRequest(StunMethod.Binding) { Fingerprint = true };
        var withFingerprint = request.Build();
        var message = new byte[withFingerprint.Length + 8];
        withFingerprint.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(withFingerprint.Length), 0x8022);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(withFingerprint.Length + 2), 4);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(message.Length - 20));

        AssertBadRequest(message, request.TransactionId);
    }

    [Fact]
    public void MalformedAllocate_Gets400OfAllocate()
    {
        var request = new StunRequest(StunMethod.Allocate).RequestedTransport(17);
        var message = request.Build();
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(22), 40);

        var response = _turn.Client().SendRaw(message);

        Assert.NotNull(response);
        response.AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
        Assert.Equal(request.TransactionId, response.TransactionId);
    }

    [Fact]
    public void LengthMismatchOnAStream_IsNotAnswered()
    {
        // On TCP the framing reads exactly the announced length; a mismatch means the stream is out of step.
        var message = Binding(out _, (0x8022, [1, 2, 3, 4]));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 12);

        AssertNoAnswer(message, ClientTransport.Tcp);
    }

    [Fact]
    public void WrongMagicCookie_IsDropped()
    {
        var message = Binding(out _);
        message[4] ^= 0xFF;

        AssertNoAnswer(message);
    }

    [Fact]
    public void FirstTwoBitsSet_IsDropped()
    {
        var message = Binding(out _);
        message[0] |= 0x80;

        AssertNoAnswer(message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    public void ShorterThanAHeader_IsDropped(int length)
    {
        AssertNoAnswer(Binding(out _)[..length]);
    }

    [Theory]
    [InlineData(StunClass.SuccessResponse)]
    [InlineData(StunClass.ErrorResponse)]
    public void Responses_AreDropped(StunClass @class)
    {
        AssertNoAnswer(new StunRequest(StunMethod.Binding, @class).Build());
        AssertNoAnswer(new StunRequest(StunMethod.Allocate, @class).Build());
    }

    [Fact]
    public void MalformedResponsesAndIndications_AreDropped()
    {
        var response = new StunRequest(StunMethod.Binding, StunClass.SuccessResponse).Add(0x8022, [1, 2, 3, 4]).Build();
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(22), 40);
        var indication = new StunRequest(StunMethod.Send, StunClass.Indication).Add(0x8022, [1, 2, 3, 4]).Build();
        BinaryPrimitives.WriteUInt16BigEndian(indication.AsSpan(22), 40);

        AssertNoAnswer(response);
        AssertNoAnswer(indication);
    }

    [Theory]
    [InlineData(StunMethod.Binding)]
    [InlineData(StunMethod.Data)]
    [InlineData(StunMethod.Allocate)]
    public void IndicationsOtherThanSend_AreDropped(StunMethod method)
    {
        AssertNoAnswer(new StunRequest(method, StunClass.Indication).Build());
    }

    [Fact]
    public void UnknownMethod_Gets400()
    {
        var request = new StunRequest((StunMethod)0x0FF);
        var response = _turn.Client().Exchange(request);

        response.AssertError((StunMethod)0x0FF, StunErrorCode.BadRequest);
    }

    [Fact]
    public void Garbage_IsDropped()
    {
        AssertNoAnswer("GET / HTTP/1.1\r\nHost: example\r\n\r\n"u8.ToArray());
        AssertNoAnswer([0x16, 0x03, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // a TLS record
        AssertNoAnswer([0xFF]);
        AssertNoAnswer([0x40]);
        AssertNoAnswer([0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4]); // ChannelData, no allocation
    }

    [Fact]
    public void TenThousandRandomDatagrams_CauseNoExceptionNoAllocationAndEveryAnswerIsWellFormed()
    {
        var random = new Random(8656);
        var victim = _turn.Client();
        var signed = victim.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17)).Build();
        var connections = Enumerable.Range(0, 8)
            .Select(i => _turn.Connection(i % 2 == 0 ? ClientTransport.Udp : ClientTransport.Tcp, $"127.0.0.{10 + i}"))
            .ToArray();

        for (int i = 0; i < 10_000; i++)
        {
            var datagram = (i % 5) switch
            {
                0 => RandomBytes(random, random.Next(0, 600)),
                1 => StunShaped(random, validLength: true),
                2 => StunShaped(random, validLength: false),
                3 => ChannelDataShaped(random),
                _ => Mutated(random, signed),
            };
            var connection = connections[random.Next(connections.Length)];
            _turn.Server.HandleMessage(connection, datagram);
        }

        Assert.Equal(0, _turn.Server.AllocationCount);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
        foreach (var connection in connections)
        {
            Assert.Null(connection.Allocation);
            foreach (var answer in connection.TakeAll())
            {
                var response = StunResponse.Parse(answer);
                Assert.True(response.Class == StunClass.ErrorResponse || response is { Class: StunClass.SuccessResponse, Method: StunMethod.Binding },
                    $"unexpected answer {response}");
            }
        }

        _turn.Time.AdvanceSeconds(10);
        foreach (var connection in connections)
        {
            var binding = new StunRequest(StunMethod.Binding);
            _turn.Server.HandleMessage(connection, binding.Build());
            var answer = connection.TryTake(TimeSpan.Zero);
            Assert.NotNull(answer);
            StunResponse.Parse(answer).AssertSuccess(StunMethod.Binding);
        }
        victim.Allocated();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A STUN header with the cookie, any type, and attributes of any type and length.</summary>
    private static byte[] StunShaped(Random random, bool validLength)
    {
        var body = new List<byte>();
        int attributes = random.Next(0, 12);
        ushort[] interesting = [0x0006, 0x0008, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014, 0x0015, 0x0017, 0x0018, 0x0019,
            0x001A, 0x001C, 0x001D, 0x001E, 0x0022, 0x8000, 0x8028, 0x002A, 0x0031];
        for (int a = 0; a < attributes; a++)
        {
            ushort type = random.Next(3) == 0 ? (ushort)random.Next(0x10000) : interesting[random.Next(interesting.Length)];
            int length = random.Next(4) == 0 ? random.Next(0, 80) : random.Next(0, 9);
            body.Add((byte)(type >> 8));
            body.Add((byte)type);
            body.Add((byte)(length >> 8));
            body.Add((byte)length);
            var value = RandomBytes(random, validLength ? (length + 3) & ~3 : length);
            body.AddRange(value);
        }
        var message = new byte[20 + body.Count];
        ushort messageType = (ushort)(random.Next(0x4000));
        if (random.Next(2) == 0) messageType = (ushort)((messageType & ~0x0110) | (random.Next(4) switch { 0 => 0x0000, 1 => 0x0010, 2 => 0x0100, _ => 0x0110 }));
        BinaryPrimitives.WriteUInt16BigEndian(message, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(validLength ? body.Count : random.Next(0x10000)));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), StunConstants.MagicCookie);
        random.NextBytes(message.AsSpan(8, 12));
        body.CopyTo(message, 20);
        return message;
    }

    private static byte[] ChannelDataShaped(Random random)
    {
        var message = RandomBytes(random, random.Next(1, 200));
        message[0] = (byte)random.Next(0x40, 0x80);
        return message;
    }

    /// <summary>A correctly signed Allocate with one to four bytes changed.</summary>
    private static byte[] Mutated(Random random, byte[] signed)
    {
        var message = (byte[])signed.Clone();
        int changes = random.Next(1, 5);
        for (int c = 0; c < changes; c++)
        {
            int at = random.Next(message.Length);
            message[at] ^= (byte)random.Next(1, 256);
        }
        return message;
    }
}
