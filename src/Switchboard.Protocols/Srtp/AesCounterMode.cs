using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the keystream is AES-ECB of IV, IV+1, ...
/// where the counter is the low 16 bits, XORed onto the data in place. One instance per key; it keeps an
/// ECB transform and its block buffers, so a packet allocates nothing. Not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    const int BlocksPerChunk = 64;

    readonly Aes _aes;
    readonly ICryptoTransform _ecb;
    readonly byte[] _counters = new byte[BlocksPerChunk * 16];
    readonly byte[] _keystream = new byte[BlocksPerChunk * 16];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <param name="iv">16 bytes; its last two bytes are the block counter and must be zero.</param>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        int block = 0;
        while (!data.IsEmpty)
        {
            int blocks = Math.Min(BlocksPerChunk, (data.Length + 15) / 16);
            for (int i = 0; i < blocks; i++, block++)
            {
                var counter = _counters.AsSpan(i * 16, 16);
                iv.CopyTo(counter);
                counter[14] = (byte)(block >> 8);
                counter[15] = (byte)block;
            }
            int bytes = Math.Min(data.Length, blocks * 16);
            _ecb.TransformBlock(_counters, 0, blocks * 16, _keystream, 0);
            Xor(data[..bytes], _keystream.AsSpan(0, bytes));
            data = data[bytes..];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }

    static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            var k = MemoryMarshal.Cast<byte, Vector<byte>>(keystream);
            for (int v = 0; v < d.Length; v++) d[v] ^= k[v];
            i = d.Length * Vector<byte>.Count;
        }
        for (; i < data.Length; i++) data[i] ^= keystream[i];
    }
}
