using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Peers;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Echo;

/// <summary>The outcome of an echo offer: the answer, or why there is none (HTTP status and a sentence).</summary>
public sealed record EchoOfferResult(EchoSession? Session, MediaPeer? Peer, string? Answer, int Status, string? Problem);

/// <summary>
/// Creates echo sessions from SDP offers: reads the offer, keeps the audio and video sections it can echo (sendrecv,
/// a codec in <see cref="MediaCapabilities"/>), rejects the rest (data channels included), announces one SSRC (and RTX
/// SSRC) per kept section, and hands the peer to the transport host.
/// </summary>
public sealed class EchoService(MediaTransportHost host, IOptions<MediaOptions> options, ILogger<EchoService> logger)
{
    private readonly EchoOptions _options = options.Value.Echo;
    private readonly ConcurrentDictionary<string, (EchoSession Session, MediaPeer Peer)> _sessions = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<SectionAnswer>> _answers = new();

    public int Count => _sessions.Count;

    public (EchoSession Session, MediaPeer Peer)? Find(string id) => _sessions.TryGetValue(id, out var entry) ? entry : null;

    public bool End(string id)
    {
        if (!_sessions.TryRemove(id, out var entry)) return false;
        entry.Peer.Close("ended by the client");
        return true;
    }

    public EchoOfferResult Offer(string sdp)
    {
        if (!TryRead(sdp, out WebRtcOffer? offer, out EchoOfferResult? invalid)) return invalid;
        SessionDescription description = offer.Sdp;
        if (_sessions.Count >= _options.MaxSessions) return Fail(503, $"the server runs its maximum of {_options.MaxSessions} echo sessions (Media:Echo:MaxSessions)");

        var answers = new List<SectionAnswer>();
        var sections = new List<EchoSection>();
        int midExtension = 0, transportWideCcExtension = 0;
        foreach (MediaDescription media in description.Media)
        {
            var codecs = media.Port == 0 && !media.HasFlag("bundle-only") || media.Mid is null || media.Direction is not (null or "sendrecv")
                ? [] : media.Media switch
                {
                    "audio" => CodecNegotiation.Negotiate(media, MediaCapabilities.Audio),
                    "video" => CodecNegotiation.Negotiate(media, MediaCapabilities.Video),
                    _ => [],
                };
            if (codecs.Count == 0)
            {
                answers.Add(SectionAnswer.Reject(media));
                continue;
            }
            IReadOnlyList<Extmap> extensions = CodecNegotiation.NegotiateExtensions(media, EchoSession.Extensions);
            midExtension = extensions.FirstOrDefault(e => e.Uri == MediaCapabilities.MidUri)?.Id ?? midExtension;
            transportWideCcExtension = extensions.FirstOrDefault(e => e.Uri == MediaCapabilities.TransportWideCcUri)?.Id ?? transportWideCcExtension;
            uint[] rtxSsrcs = media.SsrcGroups.Where(g => g.Semantics == "FID" && g.Ssrcs.Length == 2).Select(g => g.Ssrcs[1]).ToArray();
            uint[] primary = media.Ssrcs.Except(rtxSsrcs).ToArray();
            bool hasRtx = codecs.Any(c => c.RtxPayloadType is not null);
            var section = new EchoSection(media.Mid!, media.Media, codecs[0].Codec.ClockRate, primary, rtxSsrcs,
                codecs.Where(c => c.RtxPayloadType is not null).Select(c => (byte)c.RtxPayloadType!.Value).ToHashSet(),
                RandomSsrc(), hasRtx ? RandomSsrc() : 0);
            sections.Add(section);
            var source = new LocalSource("echo", $"echo-{media.Media}-{media.Mid}", "switchboard-echo", section.OutboundSsrc, hasRtx ? section.OutboundRtxSsrc : null);
            answers.Add(new SectionAnswer(media, codecs, extensions, "sendrecv", source));
        }
        if (sections.Count == 0) return Fail(400, "the offer has nothing to echo: no audio or video section that is sendrecv with Opus, VP8, VP9, H.264 or AV1");

        var session = new EchoSession(Guid.NewGuid().ToString("N"), sections, midExtension, transportWideCcExtension, host.Time);
        var created = host.CreatePeer(offer, session);
        if (created is null) return Fail(503, "the media server holds its maximum number of peers (Media:MaxPeers)");
        (MediaPeer peer, AnswerTransport transport) = created.Value;
        peer.ExpireAt(host.Time.GetMillis() + (long)_options.MaxDuration.TotalMilliseconds);
        _sessions[session.Id] = (session, peer);
        _answers[session.Id] = answers;
        session.Closed += s =>
        {
            _sessions.TryRemove(s.Id, out _);
            _answers.TryRemove(s.Id, out _);
        };
        logger.LogInformation("Echo session {Session} created ({Sections})", session.Id, string.Join(", ", sections.Select(s => s.Kind)));
        return new EchoOfferResult(session, peer, SdpAnswer.Write(offer, answers, transport).ToString(), 201, null);
    }

    /// <summary>
    /// A new offer for a running session (PATCH): the same media sections, typically with new ICE credentials (an ICE
    /// restart, RFC 8445 §9, e.g. after a network change). The answer keeps the codecs and SSRCs and carries this
    /// side's new credentials.
    /// </summary>
    public EchoOfferResult Renegotiate(string id, string sdp)
    {
        if (!_sessions.TryGetValue(id, out var entry) || !_answers.TryGetValue(id, out var previous)) return Fail(404, $"no echo session '{id}'");
        if (!TryRead(sdp, out WebRtcOffer? offer, out EchoOfferResult? invalid)) return invalid;
        SessionDescription description = offer.Sdp;
        if (description.Media.Count != previous.Count || description.Media.Where((m, i) => m.Mid != previous[i].Offer.Mid).Any())
            return Fail(400, "the echo keeps the media sections of its first offer: same count, same mids");
        if (offer.Fingerprint.Value != entry.Peer.RemoteFingerprint.Value) return Fail(400, "the offer's certificate fingerprint changed: start a new session");
        var remote = new IceCredentials(offer.IceUfrag, offer.IcePassword);
        if (remote != entry.Peer.Ice.Remote)
        {
            host.RestartIce(entry.Peer, remote);
            logger.LogInformation("Echo session {Session}: ICE restart", id);
        }
        var answers = previous.Select((answer, i) => answer with { Offer = description.Media[i] }).ToList();
        _answers[id] = answers;
        return new EchoOfferResult(entry.Session, entry.Peer,
            SdpAnswer.Write(offer, answers, host.AnswerTransportFor(entry.Peer, entry.Peer.DtlsSetup)).ToString(), 200, null);
    }

    /// <summary>Parses an offer; returns the 400 to send when it is not SDP or not an offer WebRTC can answer.</summary>
    private static bool TryRead(string sdp, [NotNullWhen(true)] out WebRtcOffer? offer, [NotNullWhen(false)] out EchoOfferResult? invalid)
    {
        offer = WebRtcOffer.TryRead(sdp, out string? problem);
        invalid = offer is null ? Fail(400, problem!) : null;
        return offer is not null;
    }

    private static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    private static EchoOfferResult Fail(int status, string problem) => new(null, null, null, status, problem);
}
