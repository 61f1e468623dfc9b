using System.Buffers.Binary;

namespace Switchboard.Protocols.Srtp;

// SRTP (RFC 3711 §3.1, §4.1.1, §4.2; RFC 7714 §8 for AES-GCM): the RTP header stays in clear and is
// authenticated; the payload is encrypted; the tag follows the payload.
public sealed partial class SrtpContext
{
    /// <summary>Encrypts the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] and appends the tag.</summary>
    /// <param name="buffer">Must have room for <see cref="SrtpProfileSizes.RtpTagLength"/> more bytes.</param>
    /// <param name="protectedLength">The SRTP packet's length.</param>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < _tagLength) return SrtpResult.Malformed;
        int header = RtpHeaderLength(buffer[..length]);
        if (header < 0) return SrtpResult.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        var stream = Find(ssrc, out bool full);
        if (stream is null)
        {
            if (full) return SrtpResult.TooManyStreams;
            stream = Add(ssrc);
        }
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        ulong index = SrtpPacketIndex.Estimate(stream.Rtp.Highest, stream.Rtp.Started, sequence);
        stream.Rtp.Accept(index);

        var packet = buffer[..length];
        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            GcmRtpNonce(ssrc, index, nonce);
            gcm.Encrypt(nonce, packet[header..], packet[header..], buffer.Slice(length, 16), packet[..header]);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CounterModeIv(_rtp.Salt, ssrc, index, iv);
            _rtp.CounterMode!.Apply(iv, packet[header..]);
            Span<byte> tag = stackalloc byte[20];
            ComputeTag(_rtp.Hmac!, packet, (uint)(index >> 16), tag);
            tag[.._tagLength].CopyTo(buffer[length..]);
        }
        protectedLength = length + _tagLength;
        return SrtpResult.Ok;
    }

    /// <summary>Verifies and decrypts the SRTP packet in place; on anything but Ok nothing changed in the context.</summary>
    /// <param name="length">The RTP packet's length (the tag removed).</param>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < 12 + _tagLength) return SrtpResult.Malformed;
        var rtp = packet[..^_tagLength];
        int header = RtpHeaderLength(rtp);
        if (header < 0) return SrtpResult.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]);
        var stream = Find(ssrc, out bool full);
        if (stream is null && full) return SrtpResult.TooManyStreams;
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]);
        ulong index = stream is null ? sequence : SrtpPacketIndex.Estimate(stream.Rtp.Highest, stream.Rtp.Started, sequence);
        if (stream is not null && !stream.Rtp.Check(index)) return SrtpResult.Replayed;

        var tag = packet[^_tagLength..];
        if (_rtp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            GcmRtpNonce(ssrc, index, nonce);
            if (!GcmOpen(gcm, nonce, rtp[header..], tag, rtp[..header])) return SrtpResult.AuthenticationFailed;
        }
        else
        {
            if (!AuthenticationTagMatches(_rtp.Hmac!, rtp, (uint)(index >> 16), tag)) return SrtpResult.AuthenticationFailed;
            Span<byte> iv = stackalloc byte[16];
            CounterModeIv(_rtp.Salt, ssrc, index, iv);
            _rtp.CounterMode!.Apply(iv, rtp[header..]);
        }
        (stream ?? Add(ssrc)).Rtp.Accept(index);
        length = rtp.Length;
        return SrtpResult.Ok;
    }

    /// <summary>RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.</summary>
    void GcmRtpNonce(uint ssrc, ulong index, Span<byte> nonce)
    {
        nonce[0] = 0;
        nonce[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], (uint)(index >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], (ushort)index);
        for (int i = 0; i < 12; i++) nonce[i] ^= _rtp.Salt[i];
    }

    /// <summary>Fixed header, CSRCs and header extension (RFC 3550 §5.1, §5.3.1); -1 if not a whole RTP header.</summary>
    static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || packet[0] >> 6 != 2) return -1;
        int length = 12 + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4) return -1;
            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        return length <= packet.Length ? length : -1;
    }
}
