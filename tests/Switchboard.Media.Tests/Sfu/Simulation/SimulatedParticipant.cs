using System.Globalization;
using Switchboard.Media.Contracts;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// A participant of a simulated room, doing what the JS SDK and its browser do over one peer connection: it offers
/// (what it publishes, and a <c>recvonly</c> section per track it wants), sends its media and answers the SFU's NACKs
/// and keyframe requests (<c>.Publishing</c>), and receives its subscriptions like a decoder would, asking again for
/// what it lost (<c>.Receiving</c>). Its uplink and downlink shape what it sends and receives.
/// </summary>
internal sealed partial class SimulatedParticipant
{
    public const int TransportCcExtension = 4, AudioLevelExtension = 5, AbsSendTimeExtension = 6;
    public const byte OpusPayloadType = 111, Vp8PayloadType = 96, RtxPayloadType = 97;
    private const string AudioMid = "0", VideoMid = "1";

    private readonly SfuHarness _harness;
    private readonly Dictionary<string, string> _midByTrack = [];
    private int _nextMid = 2;
    private string _fingerprint = "";

    public SimulatedParticipant(SfuHarness harness, string id, PublishSpec publish)
    {
        _harness = harness;
        Id = id;
        Publish = publish;
        Uplink = new SimulatedLink(harness.Random);
        Downlink = new SimulatedLink(harness.Random);
        NewFingerprint();
        StartPublishing();
    }

    public string Id { get; }
    public PublishSpec Publish { get; }
    public SimulatedLink Uplink { get; }
    public SimulatedLink Downlink { get; }

    /// <summary>The connection the SFU made for its last new peer connection.</summary>
    public SimulatedConnection? Connection { get; private set; }

    public int ConnectionCount { get; private set; }

    public string CameraTrackId => TrackSources.TrackId(Id, TrackSource.Camera);
    public string MicrophoneTrackId => TrackSources.TrackId(Id, TrackSource.Microphone);

    /// <summary>The round trip as its NACK timing assumes it (its links' delays).</summary>
    public int RoundTripMillis => Uplink.DelayMillis + Downlink.DelayMillis;

    /// <summary>Offers what it publishes and the tracks it subscribes to; the answer's streams are what it then receives.</summary>
    public OfferOutcome Offer()
    {
        var publish = new List<OfferedTrack>();
        if (Publish.Audio) publish.Add(new OfferedTrack(AudioMid, TrackSource.Microphone));
        if (Publish.Video.Count > 0)
            publish.Add(new OfferedTrack(VideoMid, TrackSource.Camera, false,
                Publish.Simulcast ? Publish.Video.Select(l => new OfferedLayer(l.Rid, l.Width, l.Height)).ToList() : null));
        var subscribe = _midByTrack.Select(s => new WantedTrack(s.Value, s.Key)).ToList();
        OfferOutcome outcome = _harness.Sfu.Offer(SfuHarness.Room, Id, new MediaOffer(WriteOffer(), publish, subscribe, true, true));
        if (outcome.AnswerSdp is { } answer) ReadAnswer(SessionDescription.Parse(answer));
        return outcome;
    }

    /// <summary>Receives these tracks (and keeps those it has), offering again.</summary>
    public void Subscribe(params string[] trackIds)
    {
        foreach (string trackId in trackIds)
            if (!_midByTrack.ContainsKey(trackId)) _midByTrack[trackId] = (_nextMid++).ToString(CultureInfo.InvariantCulture);
        Assert.Null(Offer().Message);
    }

    /// <summary>Receives every track in the room but its own.</summary>
    public void SubscribeToAll() =>
        Subscribe(_harness.Sfu.Tracks(SfuHarness.Room).Where(t => t.ParticipantId != Id).Select(t => t.Id).ToArray());

    /// <summary>Tells the SFU the size it renders a track at (its SDK sends track-settings).</summary>
    public void Render(string trackId, int width, int height, bool enabled = true) =>
        _harness.Sfu.SetTrackSettings(SfuHarness.Room, Id, trackId, new TrackSettings(width, height, enabled));

    /// <summary>A new peer connection (the page reloaded its RTCPeerConnection): a new certificate, new SSRCs, a new decoder per stream.</summary>
    public void Reconnect()
    {
        NewFingerprint();
        StartPublishing();
        Assert.Null(Offer().Message);
    }

    /// <summary>The SFU made a connection for this participant's offer.</summary>
    public void Attach(SimulatedConnection connection)
    {
        Connection = connection;
        ConnectionCount++;
        StartReceiving();
    }

    public void Tick(long nowMillis)
    {
        if (Connection is not { IsConnected: true, IsClosed: false }) return;
        SendMedia(nowMillis);
        SendReceiverFeedback(nowMillis);
    }

    /// <summary>A packet off the downlink: RTCP about what it publishes, or media (and sender reports) of its subscriptions.</summary>
    public void Receive(byte[] packet, long nowMillis)
    {
        bool rtcp = packet.Length > 1 && packet[1] is >= 192 and <= 223;
        if (!rtcp)
        {
            OnMedia(packet, nowMillis);
            return;
        }
        foreach (RtcpPacket part in new RtcpCompound(packet))
        {
            if (ReportPacket.TryRead(part, out ReportPacket report))
            {
                if (report.IsSenderReport) OnSenderReport(report.Ssrc, report.NtpTimestamp, nowMillis);
                continue;
            }
            if (FeedbackPacket.TryRead(part, out FeedbackPacket feedback)) OnFeedback(feedback, nowMillis);
        }
    }

    private void NewFingerprint()
    {
        _fingerprint = string.Join(':', Enumerable.Range(0, 32).Select(_ => _harness.Random.Next(256).ToString("X2", CultureInfo.InvariantCulture)));
        _harness.Transport.Register(_fingerprint, this);
    }

    private string WriteOffer()
    {
        var mids = new List<string>();
        var sections = new List<string>();
        if (Publish.Audio) sections.AddRange(AudioSection(AudioMid, "sendonly", mids));
        if (Publish.Video.Count > 0) sections.AddRange(VideoSection(VideoMid, "sendonly", mids));
        foreach (TrackInfo track in _harness.Sfu.Tracks(SfuHarness.Room))
            if (_midByTrack.TryGetValue(track.Id, out string? mid))
                sections.AddRange(track.Kind == TrackKind.Audio ? AudioSection(mid, "recvonly", mids) : VideoSection(mid, "recvonly", mids));
        // Subscriptions to tracks that have gone are offered anyway, as a browser keeps its transceivers.
        foreach (var (_, mid) in _midByTrack)
            if (!mids.Contains(mid)) sections.AddRange(VideoSection(mid, "recvonly", mids));
        return string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", $"a=group:BUNDLE {string.Join(' ', mids)}", "a=extmap-allow-mixed", "a=msid-semantic: WMS *",
            .. sections, ""]);
    }

    private IEnumerable<string> Transport(string mid) =>
        ["c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", $"a=ice-ufrag:u{Id}", "a=ice-pwd:simulatedsimulatedsimulated", $"a=fingerprint:sha-256 {_fingerprint}",
         "a=setup:actpass", $"a=mid:{mid}"];

    private IEnumerable<string> AudioSection(string mid, string direction, List<string> mids)
    {
        mids.Add(mid);
        return ["m=audio 9 UDP/TLS/RTP/SAVPF 111", .. Transport(mid), RtpStreamIds.MidExtmap,
            $"a=extmap:{TransportCcExtension} http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            $"a=extmap:{AudioLevelExtension} urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            $"a={direction}", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1",
            .. direction == "sendonly" ? [$"a=ssrc:{_audio!.Ssrc} cname:{Id}"] : Array.Empty<string>()];
    }

    private IEnumerable<string> VideoSection(string mid, string direction, List<string> mids)
    {
        mids.Add(mid);
        List<string> lines =
        [
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97", .. Transport(mid), .. RtpStreamIds.VideoExtmaps,
            $"a=extmap:{TransportCcExtension} http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            $"a=extmap:{AbsSendTimeExtension} http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            $"a={direction}", "a=rtcp-mux", "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb", "a=rtcp-fb:96 transport-cc",
            "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
        ];
        if (direction != "sendonly") return lines;
        if (Publish.Simulcast)
            lines.AddRange(RtpStreamIds.SendLayers(Publish.Video));
        else
        {
            OutgoingStream video = _video[0];
            lines.AddRange([$"a=ssrc-group:FID {video.Ssrc} {video.RtxSsrc}", $"a=ssrc:{video.Ssrc} cname:{Id}", $"a=ssrc:{video.RtxSsrc} cname:{Id}"]);
        }
        return lines;
    }
}
