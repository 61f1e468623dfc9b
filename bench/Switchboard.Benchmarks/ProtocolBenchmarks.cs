using System.Net;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Benchmarks;

/// <summary>
/// The codecs alone, no server state: ChannelData framing and the STUN messages seen once per packet
/// (a Send indication) or once per request (a Binding response). Payloads are 100 bytes.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    public const int PayloadLength = 100;

    private static readonly byte[] Software = "Switchboard"u8.ToArray();

    private readonly byte[] _payload = new byte[PayloadLength];
    private readonly byte[] _channelData = new byte[ChannelData.HeaderLength + PayloadLength];
    private readonly byte[] _output = new byte[1500];
    private readonly byte[] _transactionId = new byte[StunConstants.TransactionIdLength];
    private readonly IPEndPoint _client = new(IPAddress.Parse("192.0.2.10"), 50123);
    private readonly IPEndPoint _server = new(IPAddress.Parse("192.0.2.1"), 3478);
    private byte[] _sendIndication = [];

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_payload);
        Random.Shared.NextBytes(_transactionId);
        ChannelData.Write(_channelData, 0x4000, _payload, stream: false);
        _sendIndication = BuildSendIndication(_transactionId, new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000), _payload);
    }

    /// <summary>A Send indication (RFC 8656 §11.1) with XOR-PEER-ADDRESS and DATA.</summary>
    public static byte[] BuildSendIndication(ReadOnlySpan<byte> transactionId, IPEndPoint peer, ReadOnlySpan<byte> data)
    {
        var buffer = new byte[1500];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Send, StunClass.Indication), transactionId);
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, peer);
        writer.Add(StunAttributeType.Data, data);
        return writer.Written.ToArray();
    }

    [Benchmark(Description = "ChannelData parse (100 B)")]
    public int ChannelDataParse()
    {
        ChannelData.TryParse(_channelData, out ushort channel, out var data);
        return channel + data.Length;
    }

    [Benchmark(Description = "ChannelData write (100 B)")]
    public int ChannelDataWrite() => ChannelData.Write(_output, 0x4000, _payload, stream: false);

    [Benchmark(Description = "STUN parse: Send indication (100 B data, 136 B message)")]
    public int StunParseSendIndication()
    {
        StunMessageReader.TryParse(_sendIndication, out var message);
        return (int)message.Method;
    }

    [Benchmark(Description = "STUN parse + XOR-PEER-ADDRESS + DATA lookup")]
    public int StunParseSendIndicationAttributes()
    {
        StunMessageReader.TryParse(_sendIndication, out var message);
        message.TryGetAttribute(StunAttributeType.XorPeerAddress, out var peer);
        message.TryGetAttribute(StunAttributeType.Data, out var data);
        return peer.Length + data.Length;
    }

    [Benchmark(Description = "STUN write: Binding success (XOR-MAPPED, RESPONSE-ORIGIN, SOFTWARE, FINGERPRINT)")]
    public int StunWriteBindingResponse()
    {
        var writer = new StunMessageWriter(_output, new StunMessageType(StunMethod.Binding, StunClass.SuccessResponse), _transactionId);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, _client);
        writer.AddAddress(StunAttributeType.ResponseOrigin, _server);
        writer.Add(StunAttributeType.Software, Software);
        writer.AddFingerprint();
        return writer.Length;
    }
}
