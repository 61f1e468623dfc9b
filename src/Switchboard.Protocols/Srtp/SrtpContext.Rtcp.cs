using System.Buffers.Binary;

namespace Switchboard.Protocols.Srtp;

// SRTCP (RFC 3711 §3.4; RFC 7714 §9 for AES-GCM): the first 8 bytes (header and sender SSRC) stay in clear,
// the rest is encrypted, then come the E flag with the 31-bit SRTCP index, and the tag (after the index for
// AES-CM, before it for AES-GCM).
public sealed partial class SrtpContext
{
    const int RtcpHeader = 8;
    const uint EncryptedFlag = 0x8000_0000;
    const int MaxUnencryptedRtcp = 2048;

    /// <summary>Encrypts the RTCP compound packet in <paramref name="buffer"/>[..<paramref name="length"/>] and appends index and tag.</summary>
    /// <param name="buffer">Must have room for <see cref="SrtpProfileSizes.RtcpOverhead"/> more bytes.</param>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        protectedLength = 0;
        if (length < RtcpHeader || length > buffer.Length || buffer.Length - length < 4 + _tagLength || buffer[0] >> 6 != 2) return SrtpResult.Malformed;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var stream = Find(ssrc, out bool full);
        if (stream is null)
        {
            if (full) return SrtpResult.TooManyStreams;
            stream = Add(ssrc);
        }
        uint index = stream.NextRtcpIndex;
        stream.NextRtcpIndex = (index + 1) & 0x7FFF_FFFF;
        uint trailer = EncryptedFlag | index;

        var packet = buffer[..length];
        if (_rtcp.Gcm is { } gcm)
        {
            Span<byte> nonce = stackalloc byte[12];
            GcmRtcpNonce(ssrc, index, nonce);
            Span<byte> aad = stackalloc byte[RtcpHeader + 4];
            packet[..RtcpHeader].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeader..], trailer);
            gcm.Encrypt(nonce, packet[RtcpHeader..], packet[RtcpHeader..], buffer.Slice(length, 16), aad);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[(length + 16)..], trailer);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            CounterModeIv(_rtcp.Salt, ssrc, index, iv);
            _rtcp.CounterMode!.Apply(iv, packet[RtcpHeader..]);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], trailer);
            Span<byte> tag = stackalloc byte[20];
            _rtcp.Hmac!.AppendData(buffer[..(length + 4)]);
            _rtcp.Hmac.GetHashAndReset(tag);
            tag[.._tagLength].CopyTo(buffer[(length + 4)..]);
        }
        protectedLength = length + 4 + _tagLength;
        return SrtpResult.Ok;
    }

    /// <summary>Verifies and decrypts the SRTCP packet in place; on anything but Ok nothing changed in the context.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < RtcpHeader + 4 + _tagLength || packet[0] >> 6 != 2) return SrtpResult.Malformed;
        bool gcmProfile = _rtcp.Gcm is not null;
        int trailerAt = gcmProfile ? packet.Length - 4 : packet.Length - _tagLength - 4;
        uint trailer = BinaryPrimitives.ReadUInt32BigEndian(packet[trailerAt..]);
        uint index = trailer & 0x7FFF_FFFF;
        bool encrypted = (trailer & EncryptedFlag) != 0;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var stream = Find(ssrc, out bool full);
        if (stream is null && full) return SrtpResult.TooManyStreams;
        if (stream is not null && !stream.Rtcp.Check(index)) return SrtpResult.Replayed;

        int rtcpLength;
        if (_rtcp.Gcm is { } gcm)
        {
            rtcpLength = trailerAt - 16;
            Span<byte> nonce = stackalloc byte[12];
            GcmRtcpNonce(ssrc, index, nonce);
            var tag = packet.Slice(rtcpLength, 16);
            if (encrypted)
            {
                Span<byte> aad = stackalloc byte[RtcpHeader + 4];
                packet[..RtcpHeader].CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeader..], trailer);
                if (!GcmOpen(gcm, nonce, packet[RtcpHeader..rtcpLength], tag, aad)) return SrtpResult.AuthenticationFailed;
            }
            else
            {
                // RFC 7714 §9.2: unencrypted SRTCP authenticates the whole packet and the trailer as AAD.
                if (rtcpLength + 4 > MaxUnencryptedRtcp) return SrtpResult.Malformed;
                Span<byte> aad = stackalloc byte[MaxUnencryptedRtcp];
                aad = aad[..(rtcpLength + 4)];
                packet[..rtcpLength].CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad[rtcpLength..], trailer);
                if (!GcmOpen(gcm, nonce, [], tag, aad)) return SrtpResult.AuthenticationFailed;
            }
        }
        else
        {
            rtcpLength = trailerAt;
            if (!AuthenticationTagMatches(_rtcp.Hmac!, packet[..trailerAt], trailer, packet[(trailerAt + 4)..])) return SrtpResult.AuthenticationFailed;
            if (encrypted)
            {
                Span<byte> iv = stackalloc byte[16];
                CounterModeIv(_rtcp.Salt, ssrc, index, iv);
                _rtcp.CounterMode!.Apply(iv, packet[RtcpHeader..rtcpLength]);
            }
        }
        (stream ?? Add(ssrc)).Rtcp.Accept(index);
        length = rtcpLength;
        return SrtpResult.Ok;
    }

    /// <summary>RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.</summary>
    void GcmRtcpNonce(uint ssrc, uint index, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        for (int i = 0; i < 12; i++) nonce[i] ^= _rtcp.Salt[i];
    }
}
