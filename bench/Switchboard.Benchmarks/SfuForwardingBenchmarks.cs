using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Benchmarks;

/// <summary>
/// What the SFU does per packet: once per received packet, keep it for retransmission and check for a keyframe; then
/// per subscriber, renumber it (<see cref="RtpStreamRewriter"/>), put the subscriber's SSRC, payload type and header
/// extension ids on it, stamp abs-send-time, and protect it with the subscriber's SRTP context (a 1,200-byte VP8 packet
/// with mid, abs-send-time and transport-wide sequence number extensions, as Chromium sends them).
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001", Justification =
    "BenchmarkDotNet owns the lifetime: [GlobalSetup] creates the fields, [GlobalCleanup] disposes them; the class cannot be sealed, as BenchmarkDotNet derives from it")]
public class SfuForwardingBenchmarks
{
    readonly RetransmissionBuffer _retransmission = new();
    readonly RtpStreamRewriter _rewriter = new(90_000);
    readonly byte[] _extensionMap = new byte[256];
    readonly byte[] _buffer = new byte[1600];
    SrtpContext _srtp = null!;
    byte[] _packet = [];
    ushort _sequence;
    uint _timestamp;
    long _now = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        _srtp = new SrtpContext(SrtpProfile.AeadAes128Gcm, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12));
        // Header (12) + one-byte extension block: mid "1" (id 4), abs-send-time (id 2), transport-wide seq (id 3).
        byte[] extension = [0xBE, 0xDE, 0x00, 0x03, 0x40, (byte)'1', 0x22, 0x01, 0x02, 0x03, 0x31, 0x00, 0x07, 0x00];
        var payload = new byte[1200];
        payload[0] = 0x10;
        _packet = [0x90, 96, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, .. extension, .. payload];
        _extensionMap[2] = 3; // abs-send-time kept under the subscriber's id; mid and transport-wide seq blanked
    }

    [GlobalCleanup]
    public void Cleanup() => _srtp.Dispose();

    [Benchmark(Description = "per received packet: store for retransmission + keyframe check")]
    public bool Receive()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_packet.AsSpan(2), ++_sequence);
        _retransmission.Store(_packet, _sequence, ++_now);
        return RtpPacket.TryParse(_packet, out var rtp) && KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, rtp.Payload);
    }

    [Benchmark(Description = "per subscriber: renumber + rewrite header and extensions")]
    public int Rewrite() => RewriteInto(_buffer);

    [Benchmark(Description = "per subscriber: renumber + rewrite + SRTP protect (AES-GCM)")]
    public int RewriteAndProtect()
    {
        int length = RewriteInto(_buffer);
        _srtp.ProtectRtp(_buffer, length, out int protectedLength);
        return protectedLength;
    }

    int RewriteInto(Span<byte> buffer)
    {
        _timestamp += 3000;
        _rewriter.TryRewrite(0, ++_sequence, _timestamp, ++_now, out ushort sequence, out uint timestamp);
        _packet.CopyTo(buffer);
        Span<byte> packet = buffer[.._packet.Length];
        SubscriberPacket.Rewrite(packet, 0x9999, 96, sequence, timestamp, _extensionMap, 3, _now);
        return packet.Length;
    }
}
