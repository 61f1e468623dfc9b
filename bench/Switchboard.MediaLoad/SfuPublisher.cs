using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// A synthetic browser that publishes a microphone and a camera to the SFU: one <c>sendonly</c> Opus section and one
/// <c>sendonly</c> VP8 section with RTX, BUNDLE and rtcp-mux, the mid and transport-wide-cc header extensions on every
/// packet. The pacer calls <see cref="SendAudio"/> every 20 ms and <see cref="SendVideoFrame"/> 30 times a second; the
/// first frame and one every 2 s are keyframes, and so is the next one after a PLI or FIR. A NACK is answered from the
/// last 512 video packets over RTX (RFC 4588). The server's receiver reports, REMB and transport-wide feedback are read
/// past.
/// </summary>
internal sealed class SfuPublisher : SfuParticipant
{
    public const int AudioPayload = 100;
    public const int VideoPayload = 1200;
    public const int FramesPerSecond = 30;
    private const int KeyframeEveryFrames = 2 * FramesPerSecond;
    private const int HistorySize = 512;
    private const byte AudioPt = 111, VideoPt = 96, RtxPt = 97;

    private readonly int _index;
    private readonly uint _audioSsrc = RandomSsrc(), _videoSsrc = RandomSsrc(), _rtxSsrc = RandomSsrc();
    private readonly string _cname = Guid.NewGuid().ToString("N")[..16], _stream = Guid.NewGuid().ToString("N")[..12];
    private readonly byte[] _packet = new byte[1500];    // the pacer's
    private readonly byte[] _rtxPacket = new byte[1500]; // the receive thread's
    private readonly ushort[] _lost = new ushort[2048 / 4 * 17]; // the receive thread's: a NACK's sequence numbers
    private readonly byte[][] _history = Enumerable.Range(0, HistorySize).Select(_ => new byte[1500]).ToArray();
    private readonly int[] _historyLength = new int[HistorySize];
    private readonly Lock _historyLock = new();
    private ushort _audioSequence = (ushort)Random.Shared.Next(), _videoSequence = (ushort)Random.Shared.Next(), _rtxSequence = (ushort)Random.Shared.Next();
    private uint _audioTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue), _videoTimestamp = (uint)Random.Shared.NextInt64(uint.MaxValue);
    private int _transportSequence;
    private int _midId, _transportCcId;
    private long _frames;
    private byte _pictureId;
    private volatile bool _keyframeRequested;

    public long AudioSent, VideoSent, OctetsSent, Keyframes, KeyframesOnRequest, PliReceived, FirReceived, NackedPackets, Retransmitted, NotInHistory;

    public SfuPublisher(SfuRun run, int index) : base(run, string.Create(CultureInfo.InvariantCulture, $"publisher-{index}"))
    {
        _index = index;
        Transport.RtcpReceived = OnRtcp;
    }

    public int Index => _index;

    public async Task ConnectAsync(CancellationToken cancel)
    {
        await JoinAsync(cancel);
        Run.Publishers[ParticipantId!] = _index;
        SessionDescription answer = await NegotiateAsync(Offer(), [
            new JsonObject { ["mid"] = "0", ["source"] = "microphone" },
            new JsonObject { ["mid"] = "1", ["source"] = "camera" },
        ], null, cancel);
        if (answer.Media.Count != 2 || answer.Media.Any(m => m.Port == 0))
            throw new InvalidOperationException($"the answer does not accept both sections: {answer}");
        foreach (MediaDescription section in answer.Media)
            if (section.Direction is not ("recvonly" or null))
                Run.Problem($"{Name}: the answer's section {section.Mid} is {section.Direction}, expected recvonly");
        // Browsers send only the extensions the answer kept, with the answer's ids (RFC 8285 §6).
        _midId = ExtensionId(answer.Media[1], MidUri);
        _transportCcId = ExtensionId(answer.Media[1], TransportCcUri);
        await Transport.ConnectAsync(answer, cancel);
        KeepReading();
    }

    public void SendAudio()
    {
        Span<byte> packet = _packet;
        int header = WriteHeader(packet, AudioPt, false, _audioSequence++, _audioTimestamp += 960, _audioSsrc, (byte)'0');
        SyntheticMedia.WriteStamp(packet[header..], Stopwatch.GetTimestamp(), _index);
        int length = header + AudioPayload;
        if (!Transport.SendRtp(packet[..length])) return;
        AudioSent++;
        OctetsSent += AudioPayload;
    }

    /// <summary>One frame of <paramref name="packets"/> packets (marker on the last); a keyframe when one is due or was asked for.</summary>
    public void SendVideoFrame(int packets)
    {
        bool requested = _keyframeRequested;
        bool keyframe = _frames++ % KeyframeEveryFrames == 0 || requested;
        if (keyframe)
        {
            _keyframeRequested = false;
            Keyframes++;
            if (requested) KeyframesOnRequest++;
        }
        _videoTimestamp += 90_000 / FramesPerSecond;
        _pictureId = (byte)((_pictureId + 1) & 0x7F);
        for (int i = 0; i < packets; i++)
        {
            Span<byte> packet = _packet;
            ushort sequence = _videoSequence++;
            int header = WriteHeader(packet, VideoPt, i == packets - 1, sequence, _videoTimestamp, _videoSsrc, (byte)'1');
            int codec = SyntheticMedia.WriteVp8Header(packet[header..], i == 0, keyframe, _pictureId);
            SyntheticMedia.WriteStamp(packet[(header + codec)..], Stopwatch.GetTimestamp(), _index);
            int length = header + VideoPayload;
            lock (_historyLock)
            {
                packet[..length].CopyTo(_history[sequence % HistorySize]);
                _historyLength[sequence % HistorySize] = length;
            }
            if (!Transport.SendRtp(packet[..length])) continue;
            VideoSent++;
            OctetsSent += VideoPayload;
        }
    }

    /// <summary>An SR for each stream (so the server can map RTP time to wall-clock time, as with browsers) and an SDES CNAME.</summary>
    public void SendSenderReports()
    {
        if (!Transport.IsConnected) return;
        Span<byte> compound = stackalloc byte[256];
        ulong ntp = NtpNow();
        int length = new SenderReport(_videoSsrc, ntp, _videoTimestamp, (uint)VideoSent, (uint)(VideoSent * VideoPayload), []).Write(compound);
        length += new SenderReport(_audioSsrc, ntp, _audioTimestamp, (uint)AudioSent, (uint)(AudioSent * AudioPayload), []).Write(compound[length..]);
        length += SourceDescription.WriteCname(compound[length..], _videoSsrc, _cname);
        Transport.SendRtcp(compound[..length]);
    }

    private static ulong NtpNow()
    {
        double seconds = (DateTime.UtcNow - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
        return (ulong)Math.Floor(seconds) << 32 | (uint)((seconds - Math.Floor(seconds)) * 4294967296.0);
    }

    /// <summary>RTP header with the one-byte mid and transport-wide-cc extensions the answer kept; returns its length.</summary>
    private int WriteHeader(Span<byte> packet, byte payloadType, bool marker, ushort sequence, uint timestamp, uint ssrc, byte mid)
    {
        int extensionBytes = (_midId > 0 ? 2 : 0) + (_transportCcId > 0 ? 3 : 0);
        packet[0] = (byte)(extensionBytes > 0 ? 0x90 : 0x80);
        packet[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
        if (extensionBytes == 0) return RtpPacket.FixedHeaderLength;
        int words = (extensionBytes + 3) / 4;
        BinaryPrimitives.WriteUInt16BigEndian(packet[12..], RtpHeaderExtensions.OneByteProfile);
        BinaryPrimitives.WriteUInt16BigEndian(packet[14..], (ushort)words);
        int offset = 16;
        if (_midId > 0)
        {
            packet[offset++] = (byte)(_midId << 4);
            packet[offset++] = mid;
        }
        if (_transportCcId > 0)
        {
            packet[offset++] = (byte)(_transportCcId << 4 | 1);
            BinaryPrimitives.WriteUInt16BigEndian(packet[offset..], (ushort)Interlocked.Increment(ref _transportSequence));
            offset += 2;
        }
        int end = 16 + 4 * words;
        packet[offset..end].Clear();
        return end;
    }

    private void OnRtcp(Span<byte> datagram)
    {
        foreach (RtcpPacket packet in new RtcpCompound(datagram))
        {
            if (!FeedbackPacket.TryRead(packet, out FeedbackPacket feedback)) continue;
            if (PictureLossIndication.Is(feedback))
            {
                if (feedback.MediaSsrc != _videoSsrc) continue;
                PliReceived++;
                _keyframeRequested = true;
            }
            else if (FullIntraRequest.Is(feedback))
            {
                for (int i = 0; i < FullIntraRequest.EntryCount(feedback); i++)
                    if (FullIntraRequest.Entry(feedback, i).Ssrc == _videoSsrc)
                    {
                        FirReceived++;
                        _keyframeRequested = true;
                    }
            }
            else if (GenericNack.Is(feedback) && feedback.MediaSsrc == _videoSsrc)
            {
                Span<ushort> lost = _lost;
                int count = GenericNack.Expand(feedback, lost);
                NackedPackets += count;
                foreach (ushort sequence in lost[..count]) Retransmit(sequence);
            }
        }
    }

    /// <summary>Resends a video packet over RTX: the RTX SSRC's own sequence number, the original one (OSN) in front of the payload.</summary>
    private void Retransmit(ushort sequence)
    {
        Span<byte> rtx = _rtxPacket;
        int length;
        lock (_historyLock)
        {
            byte[] original = _history[sequence % HistorySize];
            int originalLength = _historyLength[sequence % HistorySize];
            if (originalLength == 0 || BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(2)) != sequence
                || !RtpPacket.TryParse(original.AsSpan(0, originalLength), out RtpPacket packet))
            {
                NotInHistory++;
                return;
            }
            int header = WriteHeader(rtx, RtxPt, packet.Marker, _rtxSequence++, packet.Timestamp, _rtxSsrc, (byte)'1');
            BinaryPrimitives.WriteUInt16BigEndian(rtx[header..], sequence);
            packet.Payload.CopyTo(rtx[(header + 2)..]);
            length = header + 2 + packet.Payload.Length;
        }
        if (Transport.SendRtp(rtx[..length])) Retransmitted++;
    }

    private string Offer()
    {
        string audioTrack = _stream + "-audio", videoTrack = _stream + "-video";
        string Ssrc(uint ssrc, string track) => string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{ssrc} cname:{_cname}\r\na=ssrc:{ssrc} msid:{_stream} {track}");
        return string.Join("\r\n", [
            .. SessionLines(["0", "1"]),
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", .. SectionStart("0"), "a=sendonly", $"a=msid:{_stream} {audioTrack}", .. AudioCodecLines,
            Ssrc(_audioSsrc, audioTrack),
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97", .. SectionStart("1"), "a=sendonly", $"a=msid:{_stream} {videoTrack}", .. VideoCodecLines,
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc-group:FID {_videoSsrc} {_rtxSsrc}"), Ssrc(_videoSsrc, videoTrack), Ssrc(_rtxSsrc, videoTrack),
            ""]);
    }

    private static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);
}
