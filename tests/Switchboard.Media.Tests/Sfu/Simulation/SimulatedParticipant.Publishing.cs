using System.Buffers.Binary;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Tests.Sfu.Simulation;

// What it publishes: Opus-sized audio every 20 ms with its level (RFC 6464), and VP8 at 30 frames a second per layer as
// RFC 7741 packs it (a descriptor with a 15-bit picture id; a keyframe's header with the start code), each packet with
// mid, rid and a transport-wide sequence number; RTX (RFC 4588) for what the SFU NACKs; keyframes when it asks.
internal sealed partial class SimulatedParticipant
{
    private const int FramesPerSecond = 30, AudioIntervalMillis = 20, MaxPayload = 1100;

    private OutgoingStream? _audio;
    private OutgoingStream[] _video = [];
    private long _publishingSince, _nextSenderReportAt;
    private ushort _transportSequence;

    /// <summary>The level of its voice in -dBov (0 loudest, 127 silence); what each audio packet carries.</summary>
    public byte AudioLevel { get; set; } = 127;

    /// <summary>Its microphone and camera layers as sent now (new ones after <see cref="Reconnect"/>).</summary>
    public OutgoingStream? AudioStream => _audio;
    public IReadOnlyList<OutgoingStream> VideoStreams => _video;

    /// <summary>PLIs and FIRs the SFU sent it, over every layer and connection.</summary>
    public List<long> KeyframeRequestsAt { get; } = [];
    public long NacksReceived { get; private set; }

    /// <summary>Keyframe requests are counted but not acted on (an encoder that is slow to send one).</summary>
    public bool IgnoresKeyframeRequests { get; set; }

    private void StartPublishing()
    {
        uint NewSsrc() => (uint)_harness.Random.NextInt64(1, uint.MaxValue);
        ushort NewSequence() => (ushort)_harness.Random.Next(ushort.MaxValue);
        _audio = Publish.Audio ? new OutgoingStream(0, null, NewSsrc(), 0, NewSequence()) : null;
        _video = Publish.Video.Select((layer, i) => new OutgoingStream(i, layer, NewSsrc(), NewSsrc(), NewSequence())).ToArray();
        _publishingSince = _harness.NowMillis;
    }

    private void SendMedia(long nowMillis)
    {
        long elapsed = nowMillis - _publishingSince;
        if (_audio is { } audio && elapsed >= audio.NextFrame * AudioIntervalMillis)
        {
            audio.NextFrame++;
            Span<byte> level = [(byte)(0x80 | AudioLevel)]; // V: voice activity
            SendPacket(audio, marker: false, (uint)(audio.NextFrame * 960), new byte[80], level.ToArray());
        }
        foreach (OutgoingStream layer in _video)
        {
            if (elapsed < layer.NextFrame * 1000L / FramesPerSecond) continue;
            layer.NextFrame++;
            if (!layer.Paused) SendFrame(layer);
        }
        if (nowMillis >= _nextSenderReportAt)
        {
            _nextSenderReportAt = nowMillis + 1000;
            foreach (OutgoingStream? stream in (OutgoingStream?[])[_audio, .. _video])
                if (stream is { Packets: > 0 }) SendSenderReport(stream);
        }
    }

    /// <summary>One frame of a layer: a keyframe three times the size of the others, split in packets, the marker on the last.</summary>
    private void SendFrame(OutgoingStream layer)
    {
        bool keyframe = layer.KeyframeWanted;
        layer.KeyframeWanted = false;
        if (keyframe) layer.KeyframesSent++;
        int size = (int)(layer.Video!.Bitrate / 8 / FramesPerSecond) * (keyframe ? 3 : 1);
        int packets = Math.Max(1, (size + MaxPayload - 1) / MaxPayload);
        uint timestamp = (uint)(layer.NextFrame * (90000 / FramesPerSecond));
        layer.PictureId = (layer.PictureId + 1) & 0x7FFF;
        for (int i = 0; i < packets; i++)
        {
            bool start = i == 0;
            var payload = new byte[Math.Max(24, size / packets)];
            payload[0] = (byte)(0x80 | (start ? 0x10 : 0)); // X, S, partition 0 (RFC 7741 §4.2)
            payload[1] = 0x80;                              // I: a picture id follows
            payload[2] = (byte)(0x80 | layer.PictureId >> 8); // M: 15 bits
            payload[3] = (byte)layer.PictureId;
            int offset = 4;
            if (start && keyframe)
            {
                byte[] header = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, (byte)layer.Video.Width, (byte)(layer.Video.Width >> 8), (byte)layer.Video.Height, (byte)(layer.Video.Height >> 8)];
                header.CopyTo(payload, offset);
                offset += header.Length;
            }
            else if (start)
            {
                byte[] header = [0x11, 0x02, 0x00]; // P=1: an interframe
                header.CopyTo(payload, offset);
                offset += header.Length;
            }
            payload[offset] = (byte)layer.Layer; // which layer this is, for the receiver's statistics
            SendPacket(layer, marker: i == packets - 1, timestamp, payload, null);
        }
    }

    private void SendPacket(OutgoingStream stream, bool marker, uint timestamp, byte[] payload, byte[]? audioLevel)
    {
        ushort sequence = stream.NextSequence++;
        var extensions = new List<RtpExtensionElement> { RtpStreamIds.Mid(MidOf(stream)) };
        if (stream.Video is not null && Publish.Simulcast) extensions.Add(RtpStreamIds.Rid(stream.Video.Rid));
        if (audioLevel is not null) extensions.Add(new(AudioLevelExtension, audioLevel));
        extensions.Add(new(TransportCcExtension, NextTransportSequence()));
        byte payloadType = stream.Video is null ? OpusPayloadType : Vp8PayloadType;
        var packet = new byte[payload.Length + 64];
        int length = RtpPacketWriter.Write(packet, marker, payloadType, sequence, timestamp, stream.Ssrc, [.. extensions], payload);
        packet = packet[..length];
        stream.Packets++;
        stream.Octets += (uint)payload.Length;
        stream.Remember(sequence, packet);
        Uplink.Send(packet, _harness.Clock.NowMicros, Connection);
    }

    private static string MidOf(OutgoingStream stream) => stream.Video is null ? AudioMid : VideoMid;

    private byte[] NextTransportSequence()
    {
        ushort sequence = _transportSequence++;
        return [(byte)(sequence >> 8), (byte)sequence];
    }

    /// <summary>A NACKed packet again on the layer's RTX stream (RFC 4588 §4): the original sequence number before the payload.</summary>
    private void Retransmit(OutgoingStream stream, ushort sequence)
    {
        if (stream.Video is null || stream.Sent(sequence) is not { } original || !RtpPacket.TryParse(original, out RtpPacket rtp)) return;
        var payload = new byte[rtp.Payload.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, sequence);
        rtp.Payload.CopyTo(payload.AsSpan(2));
        var extensions = new List<RtpExtensionElement> { RtpStreamIds.Mid(MidOf(stream)) };
        if (Publish.Simulcast) extensions.Add(RtpStreamIds.RepairedRid(stream.Video.Rid));
        extensions.Add(new(TransportCcExtension, NextTransportSequence()));
        var packet = new byte[payload.Length + 64];
        int length = RtpPacketWriter.Write(packet, rtp.Marker, RtxPayloadType, stream.NextRtxSequence++, rtp.Timestamp, stream.RtxSsrc, [.. extensions], payload);
        stream.Retransmitted++;
        Uplink.Send(packet.AsSpan(0, length), _harness.Clock.NowMicros, Connection);
    }

    private void SendSenderReport(OutgoingStream stream)
    {
        var buffer = new byte[64];
        uint timestamp = stream.Video is null ? (uint)(stream.NextFrame * 960) : (uint)(stream.NextFrame * (90000 / FramesPerSecond));
        int length = new SenderReport(stream.Ssrc, NtpTime(), timestamp, stream.Packets, stream.Octets, []).Write(buffer);
        Uplink.Send(buffer.AsSpan(0, length), _harness.Clock.NowMicros, Connection);
    }

    /// <summary>Now as an NTP timestamp (RFC 3550 §4): seconds in the upper 32 bits, the fraction in the lower.</summary>
    private ulong NtpTime()
    {
        long micros = _harness.Clock.NowMicros;
        return (ulong)(micros / 1_000_000) << 32 | (ulong)((micros % 1_000_000) * 4294.967296);
    }

    /// <summary>RTCP from the SFU about what it publishes: NACKs (RFC 4585 §6.2.1) and keyframe requests (PLI, FIR).</summary>
    private void OnFeedback(in FeedbackPacket feedback, long nowMillis)
    {
        uint ssrc = feedback.MediaSsrc;
        if (FullIntraRequest.Is(feedback) && FullIntraRequest.EntryCount(feedback) > 0) ssrc = FullIntraRequest.Entry(feedback, 0).Ssrc;
        OutgoingStream? stream = _video.FirstOrDefault(v => v.Ssrc == ssrc) ?? (_audio?.Ssrc == ssrc ? _audio : null);
        if (stream is null) return; // about a stream it receives: nothing a sender acts on
        if (GenericNack.Is(feedback))
        {
            Span<ushort> lost = stackalloc ushort[256];
            int count = GenericNack.Expand(feedback, lost);
            stream.NacksReceived++;
            NacksReceived++;
            foreach (ushort sequence in lost[..count]) Retransmit(stream, sequence);
        }
        else if (PictureLossIndication.Is(feedback) || FullIntraRequest.Is(feedback))
        {
            if (!IgnoresKeyframeRequests) stream.KeyframeWanted = true;
            stream.KeyframeRequestsAt.Add(nowMillis);
            KeyframeRequestsAt.Add(nowMillis);
        }
    }

    /// <summary>The SFU's <c>layers</c> message: layers nobody receives pause; one that resumes starts with a keyframe.</summary>
    public void OnLayerDemand(Contracts.LayerDemand demand)
    {
        if (demand.TrackId != CameraTrackId) return;
        for (int i = 0; i < _video.Length && i < demand.Active.Count; i++)
        {
            if (_video[i].Paused && demand.Active[i]) _video[i].KeyframeWanted = true;
            _video[i].Paused = !demand.Active[i];
        }
    }
}
