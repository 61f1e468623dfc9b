using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;

namespace Switchboard.Benchmarks;

/// <summary>
/// ICE-lite: one connectivity check as a browser sends it (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
/// MESSAGE-INTEGRITY, FINGERPRINT), parsed and answered with a signed success response; and the RFC 7983 first-byte
/// demultiplexing every datagram of a WebRTC transport goes through.
/// </summary>
[MemoryDiagnoser]
public class IceBenchmarks
{
    static readonly IceCredentials Server = new("srvUfrag", "serverPassword0123456789");
    static readonly IceCredentials Browser = new("brwsUfrg", "browserPassword012345678");

    readonly IPEndPoint _source = new(IPAddress.Parse("192.0.2.44"), 50123);
    readonly byte[] _response = new byte[128];
    IceLiteAgent<string> _agent = null!;
    byte[] _request = [];
    byte[] _stun = [], _dtls = [], _rtp = [], _rtcp = [];
    long _now = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        _agent = new IceLiteAgent<string>(Server, Browser, TimeSpan.FromSeconds(30), _now);
        var buffer = new byte[512];
        var transactionId = StunTransactionId.NewRandom();
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), transactionId);
        writer.AddString(StunAttributeType.Username, $"{Server.Ufrag}:{Browser.Ufrag}");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E0001FF);
        writer.Add(StunAttributeType.IceControlling, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(Server.Password));
        writer.AddFingerprint();
        _request = writer.Written.ToArray();
        if (HandleBindingRequest() <= 0) throw new InvalidOperationException("check not answered with a success");

        _stun = _request;
        _dtls = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
        _rtp = [0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0x12, 0x34];
        _rtcp = [0x80, 200, 0, 6, 0, 0, 0x11, 0x11];
    }

    [Benchmark(Description = "ICE-lite check: STUN parse + HandleBindingRequest (USE-CANDIDATE) + signed success")]
    public int HandleBindingRequest()
    {
        StunMessageReader.TryParse(_request, out var message);
        var outcome = _agent.HandleBindingRequest(message, "udp", _source, ++_now, _response, out int length);
        return outcome == IceCheckOutcome.Nominated ? length : -1;
    }

    [Benchmark(Description = "MultiplexedPacket.Classify (STUN, DTLS, RTP, RTCP: per datagram)", OperationsPerInvoke = 4)]
    public int Classify() =>
        (int)MultiplexedPacket.Classify(_stun) + (int)MultiplexedPacket.Classify(_dtls)
        + (int)MultiplexedPacket.Classify(_rtp) + (int)MultiplexedPacket.Classify(_rtcp);
}
