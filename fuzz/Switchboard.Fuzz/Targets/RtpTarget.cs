using Switchboard.Protocols.Rtp;

namespace Switchboard.Fuzz;

/// <summary>
/// An RTP packet as the media server receives it after SRTP: <see cref="RtpPacket.TryParse"/> (false for bad input,
/// never throws), every header field, every header extension element (one-byte and two-byte form) through every
/// extension value reader, the in-place rewriting a forwarded packet gets, and RTX (RFC 4588): the packet unwrapped as
/// if it were a retransmission, and wrapped and unwrapped back, which must give the packet without its padding.
/// </summary>
public static class RtpTarget
{
    const byte Vp8 = 96, Rtx = 97;
    const uint MediaSsrc = 0x11112222, RtxSsrc = 0x33334444;
    static readonly byte[] ExtensionMap = [0, 3, 1, 0, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 20, 200];

    public static void Run(ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        if (!RtpPacket.TryParse(data, out var rtp))
        {
            FuzzInvariantException.Check(!RtxPacket.TryUnwrap(copy, copy.Length, Vp8, MediaSsrc, out _), "RTX unwrap of an invalid packet");
            FuzzInvariantException.Check(RtxPacket.Wrap(data, new byte[data.Length + 2], Rtx, RtxSsrc, 1) == -1, "RTX wrap of an invalid packet");
            FuzzInvariantException.Check(!RtpHeaderRewriter.ApplyExtensionMap(copy, ExtensionMap), "extension map on an invalid packet");
            return;
        }

        FuzzInvariantException.Check(rtp.HeaderLength + rtp.Payload.Length + rtp.PaddingLength == data.Length, "header, payload and padding do not add up");
        FuzzInvariantException.Check(rtp.HeaderLength >= RtpPacket.FixedHeaderLength + 4 * rtp.CsrcCount, "header shorter than its CSRCs");
        _ = (rtp.Marker, rtp.PayloadType, rtp.SequenceNumber, rtp.Timestamp, rtp.Ssrc, rtp.ExtensionProfile, rtp.Bytes.Length);
        for (int i = 0; i < rtp.CsrcCount; i++) _ = rtp.Csrc(i);

        var extensions = rtp.Extensions;
        _ = (extensions.IsOneByte, extensions.IsTwoByte);
        int elements = 0;
        foreach (var element in extensions)
        {
            FuzzInvariantException.Check(++elements <= data.Length, "more extension elements than bytes");
            ReadValue(element.Value);
            RtpHeaderRewriter.TrySetExtension(copy, element.Id, element.Value);
        }
        for (int id = 0; id <= 255; id++)
            if (rtp.TryGetExtension(id, out var value)) ReadValue(value);
        for (int id = 0; id <= 16; id++) rtp.TransportSequenceNumber(id);

        foreach (var codec in Enum.GetValues<VideoCodec>())
        {
            KeyframeDetector.IsKeyframeStart(codec, rtp.Payload);
            PictureIdFields.TryLocate(codec, rtp.Payload, out _);
        }

        // What the SFU does to a packet it forwards.
        FuzzInvariantException.Check(RtpHeaderRewriter.ApplyExtensionMap(copy, ExtensionMap), "extension map refused a valid packet");
        SubscriberPacket.Rewrite(copy, RtxSsrc, Vp8, 7, 9000, ExtensionMap, 2, 123_456);
        FuzzInvariantException.Check(RtpPacket.TryParse(copy, out var rewritten) && rewritten.HeaderLength == rtp.HeaderLength, "rewriting broke the packet");

        // Unwrapped as if it were RTX.
        copy = data.ToArray();
        if (RtxPacket.TryUnwrap(copy, copy.Length, Vp8, MediaSsrc, out int originalLength))
        {
            FuzzInvariantException.Check(originalLength == data.Length - rtp.PaddingLength - 2, "unwrapped length");
            FuzzInvariantException.Check(RtpPacket.TryParse(copy.AsSpan(0, originalLength), out var original) && original.Ssrc == MediaSsrc, "unwrapped packet does not parse");
        }
        else FuzzInvariantException.Check(rtp.Payload.Length < 2, "RTX unwrap refused a packet with an OSN");

        // Wrapped and unwrapped back.
        var buffer = new byte[data.Length + 2];
        int length = RtxPacket.Wrap(data, buffer, Rtx, RtxSsrc, 0xBEEF);
        FuzzInvariantException.Check(length == data.Length - rtp.PaddingLength + 2, "wrapped length");
        FuzzInvariantException.Check(RtxPacket.TryUnwrap(buffer, length, rtp.PayloadType, rtp.Ssrc, out originalLength), "wrapped packet does not unwrap");
        var expected = data[..(data.Length - rtp.PaddingLength)].ToArray();
        expected[0] &= 0xDF;
        FuzzInvariantException.Check(buffer.AsSpan(0, originalLength).SequenceEqual(expected), "wrap and unwrap changed the packet");
    }

    static void ReadValue(ReadOnlySpan<byte> value)
    {
        RtpExtensionValues.TryReadAbsSendTime(value, out _);
        RtpExtensionValues.TryReadTransportSequenceNumber(value, out _);
        RtpExtensionValues.TryReadAudioLevel(value, out _, out _);
        RtpExtensionValues.TryReadVideoOrientation(value, out _, out _, out _);
        RtpExtensionValues.ReadIdentifier(value);
    }
}
