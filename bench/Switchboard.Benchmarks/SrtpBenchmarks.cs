using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Benchmarks;

/// <summary>
/// SRTP protect and unprotect of one RTP packet (a 1200-byte video payload or a 100-byte audio payload) for both
/// profiles, and the platform's AES-GCM on the same bytes as the ceiling to compare against.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001", Justification =
    "BenchmarkDotNet owns the lifetime: [GlobalSetup] creates the fields, [GlobalCleanup] disposes them; the class cannot be sealed, as BenchmarkDotNet derives from it")]
public class SrtpBenchmarks
{
    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [Params(100, 1200)]
    public int Payload { get; set; }

    SrtpContext _sender = null!, _receiver = null!;
    AesGcm _gcm = null!;
    byte[] _packet = [], _buffer = [], _protected = [];
    readonly byte[] _tag = new byte[16], _nonce = new byte[12];
    ushort _sequence;
    int _rtpLength;

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var salt = RandomNumberGenerator.GetBytes(Profile.MasterSaltLength());
        _sender = new SrtpContext(Profile, key, salt);
        _receiver = new SrtpContext(Profile, key, salt);
        _gcm = new AesGcm(key, 16);
        _rtpLength = 12 + Payload;
        _packet = new byte[_rtpLength + 16];
        _packet[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(_packet.AsSpan(8), 0x1234);
        _buffer = new byte[_packet.Length];
        _protected = new byte[_packet.Length];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _gcm.Dispose();
    }

    [Benchmark(Description = "protect")]
    public int Protect()
    {
        _packet.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), ++_sequence);
        _sender.ProtectRtp(_buffer, _rtpLength, out int length);
        return length;
    }

    [Benchmark(Description = "protect + unprotect")]
    public int ProtectUnprotect()
    {
        int length = Protect();
        _receiver.UnprotectRtp(_buffer.AsSpan(0, length), out int plain);
        return plain;
    }

    [Benchmark(Description = "platform AES-GCM encrypt (ceiling)")]
    public void PlatformAesGcm() => _gcm.Encrypt(_nonce, _packet.AsSpan(12, Payload), _protected.AsSpan(12, Payload), _tag, _packet.AsSpan(0, 12));
}
