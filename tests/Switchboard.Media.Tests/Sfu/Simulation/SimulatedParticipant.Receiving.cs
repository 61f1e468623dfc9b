using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Sfu.Simulation;

// What it receives: the streams its answers announced (by SSRC, with their RTX), read by IncomingStream; and the
// feedback a browser sends about them: transport-wide CC every 100 ms, NACKs as gaps appear and each round trip after,
// PLIs while a decoder waits for a keyframe, receiver reports every second.
internal sealed partial class SimulatedParticipant
{
    public const int TransportFeedbackIntervalMillis = 100, NackIntervalMillis = 10, KeyframeRequestIntervalMillis = 300, ReportIntervalMillis = 1000;

    private readonly uint _localSsrc = 0x5EED_0000;
    private readonly Dictionary<uint, IncomingStream> _incomingBySsrc = [];
    private readonly Dictionary<string, IncomingStream> _incomingByTrack = [];
    private TransportFeedbackBuilder _transportFeedback = new();
    private long _nextTransportFeedbackAt, _nextNackAt, _nextReportAt;
    private readonly Dictionary<uint, long> _keyframeAskedAt = [];

    /// <summary>Every stream it has received, over all its connections (a reconnect starts new ones).</summary>
    public List<IncomingStream> AllIncoming { get; } = [];

    public long PlisSent { get; private set; }
    public long NacksSent { get; private set; }
    public long TransportFeedbackSent { get; private set; }

    /// <summary>The stream of a track it receives now.</summary>
    public IncomingStream Incoming(string trackId) =>
        _incomingByTrack.TryGetValue(trackId, out var stream) ? stream : throw new InvalidOperationException($"{Id} does not receive {trackId}");

    public bool Receives(string trackId) => _incomingByTrack.ContainsKey(trackId);

    /// <summary>A new peer connection: new decoders, new feedback state.</summary>
    private void StartReceiving()
    {
        _incomingBySsrc.Clear();
        _incomingByTrack.Clear();
        _transportFeedback = new TransportFeedbackBuilder();
    }

    /// <summary>The streams the answer sends it: SSRC and RTX SSRC of each <c>sendonly</c> section it subscribed with.</summary>
    private void ReadAnswer(SessionDescription answer)
    {
        foreach (MediaDescription media in answer.Media)
        {
            if (media.Port == 0 && !media.HasFlag("bundle-only") || media.Direction != "sendonly") continue;
            string? trackId = _midByTrack.FirstOrDefault(m => m.Value == media.Mid).Key;
            if (trackId is null) continue;
            var group = media.SsrcGroups.FirstOrDefault(g => g.Semantics == "FID" && g.Ssrcs.Length == 2);
            uint ssrc = group?.Ssrcs[0] ?? media.Ssrcs.First();
            uint rtx = group?.Ssrcs[1] ?? 0;
            if (_incomingByTrack.TryGetValue(trackId, out var existing) && existing.Ssrc == ssrc) continue;
            var stream = new IncomingStream(trackId, media.Media == "video", ssrc, rtx, _harness.NowMillis);
            _incomingByTrack[trackId] = stream;
            _incomingBySsrc[ssrc] = stream;
            if (rtx != 0) _incomingBySsrc[rtx] = stream;
            AllIncoming.Add(stream);
        }
    }

    private void OnMedia(byte[] packet, long nowMillis)
    {
        if (!RtpPacket.TryParse(packet, out RtpPacket rtp)) return;
        if (rtp.TransportSequenceNumber(TransportCcExtension) is >= 0 and int transportSequence)
            _transportFeedback.Record((ushort)transportSequence, _harness.Clock.NowMicros);
        if (!_incomingBySsrc.TryGetValue(rtp.Ssrc, out IncomingStream? stream)) return;
        bool viaRtx = rtp.Ssrc == stream.RtxSsrc;
        if (viaRtx)
        {
            if (!RtxPacket.TryUnwrap(packet, packet.Length, Vp8PayloadType, stream.Ssrc, out int length) || !RtpPacket.TryParse(packet.AsSpan(0, length), out rtp)) return;
        }
        stream.OnPacket(rtp, viaRtx, nowMillis);
    }

    private void OnSenderReport(uint ssrc, ulong ntpTimestamp, long nowMillis)
    {
        if (_incomingBySsrc.TryGetValue(ssrc, out IncomingStream? stream) && stream.Ssrc == ssrc) stream.Reception.OnSenderReport(ntpTimestamp, nowMillis);
    }

    private void SendReceiverFeedback(long nowMillis)
    {
        var buffer = new byte[1500];
        foreach (IncomingStream stream in _incomingByTrack.Values) stream.OnTick(nowMillis);
        if (nowMillis >= _nextTransportFeedbackAt)
        {
            _nextTransportFeedbackAt = nowMillis + TransportFeedbackIntervalMillis;
            while (_transportFeedback.PendingCount > 0 && _incomingByTrack.Count > 0)
            {
                int length = _transportFeedback.Write(buffer.AsSpan(0, 1200), _localSsrc, _incomingByTrack.Values.First().Ssrc);
                if (length <= 0) break;
                TransportFeedbackSent++;
                Uplink.Send(buffer.AsSpan(0, length), _harness.Clock.NowMicros, Connection);
            }
        }
        if (nowMillis >= _nextNackAt)
        {
            _nextNackAt = nowMillis + NackIntervalMillis;
            Span<ushort> due = stackalloc ushort[128];
            foreach (IncomingStream stream in _incomingByTrack.Values)
            {
                if (!stream.IsVideo) continue;
                int count = stream.Nacks.CollectDue(nowMillis, RoundTripMillis, due);
                if (count == 0) continue;
                int length = GenericNack.Write(buffer, _localSsrc, stream.Ssrc, due[..count]);
                NacksSent++;
                Uplink.Send(buffer.AsSpan(0, length), _harness.Clock.NowMicros, Connection);
            }
        }
        foreach (IncomingStream stream in _incomingByTrack.Values)
        {
            if (!stream.NeedsKeyframe || _keyframeAskedAt.TryGetValue(stream.Ssrc, out long askedAt) && nowMillis - askedAt < KeyframeRequestIntervalMillis) continue;
            _keyframeAskedAt[stream.Ssrc] = nowMillis;
            SendPictureLossIndication(stream);
        }
        if (nowMillis >= _nextReportAt && _incomingByTrack.Count > 0)
        {
            _nextReportAt = nowMillis + ReportIntervalMillis;
            ReportBlock[] blocks = _incomingByTrack.Values.Where(s => s.Packets > 0).Select(s => s.Reception.CreateReportBlock(nowMillis)).ToArray();
            int length = new ReceiverReport(_localSsrc, blocks).Write(buffer);
            if (length > 0) Uplink.Send(buffer.AsSpan(0, length), _harness.Clock.NowMicros, Connection);
        }
    }

    /// <summary>Asks for a keyframe on a stream it receives (RFC 4585 §6.3.1), as a decoder that lost its reference does.</summary>
    public void SendPictureLossIndication(IncomingStream stream)
    {
        var buffer = new byte[12];
        PictureLossIndication.Write(buffer, _localSsrc, stream.Ssrc);
        PlisSent++;
        Uplink.Send(buffer, _harness.Clock.NowMicros, Connection);
    }

    /// <summary>Sends raw RTCP as it is (an attack, or feedback a test builds).</summary>
    public void SendRtcp(ReadOnlySpan<byte> rtcp) => Uplink.Send(rtcp, _harness.Clock.NowMicros, Connection);
}
