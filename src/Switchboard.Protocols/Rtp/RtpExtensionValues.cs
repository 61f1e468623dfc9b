using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.Rtp;

/// <summary>The values of the header extensions WebRTC negotiates (their URIs are in the SDP's a=extmap lines).</summary>
public static class RtpExtensionValues
{
    /// <summary>abs-send-time: 6.18 fixed-point seconds, 24 bits.</summary>
    public static bool TryReadAbsSendTime(ReadOnlySpan<byte> value, out uint time)
    {
        time = value.Length == 3 ? (uint)(value[0] << 16 | value[1] << 8 | value[2]) : 0;
        return value.Length == 3;
    }

    /// <summary>transport-wide-cc (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): a 16-bit transport sequence number.</summary>
    public static bool TryReadTransportSequenceNumber(ReadOnlySpan<byte> value, out ushort sequence)
    {
        sequence = value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(value) : (ushort)0;
        return value.Length >= 2;
    }

    /// <summary>ssrc-audio-level (RFC 6464 §3): the voice-activity flag and the level in -dBov (0 loudest, 127 silence).</summary>
    public static bool TryReadAudioLevel(ReadOnlySpan<byte> value, out bool voice, out byte level)
    {
        voice = value.Length >= 1 && (value[0] & 0x80) != 0;
        level = value.Length >= 1 ? (byte)(value[0] & 0x7F) : (byte)127;
        return value.Length >= 1;
    }

    /// <summary>Video orientation (3GPP TS 26.114 §7.4.5, "urn:3gpp:video-orientation"): camera, flip, rotation in degrees.</summary>
    public static bool TryReadVideoOrientation(ReadOnlySpan<byte> value, out bool backCamera, out bool flipped, out int rotation)
    {
        backCamera = value.Length >= 1 && (value[0] & 0x08) != 0;
        flipped = value.Length >= 1 && (value[0] & 0x04) != 0;
        rotation = value.Length >= 1 ? (value[0] & 0x03) * 90 : 0;
        return value.Length >= 1;
    }

    /// <summary>mid (RFC 8843 §15.2), rid and repaired-rid (RFC 8852 §3): short ASCII identifiers.</summary>
    public static string ReadIdentifier(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value.TrimEnd((byte)0));
}
