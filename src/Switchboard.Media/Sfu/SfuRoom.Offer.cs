using Switchboard.Media.Contracts;
using Switchboard.Media.Peers;
using Switchboard.Media.Sfu.Data;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Sfu;

// A participant's offer: what it publishes and subscribes to, answered section by section (docs/signaling.md, "media-offer").
internal sealed partial class SfuRoom
{
    /// <summary>Header extensions the SFU reads on what it receives (RFC 8843 mid, RFC 8852 rid, transport-wide CC, RFC 6464).</summary>
    private static readonly string[] PublishExtensions =
    [
        MediaCapabilities.MidUri, MediaCapabilities.RidUri, MediaCapabilities.RepairedRidUri, MediaCapabilities.TransportWideCcUri,
        MediaCapabilities.AudioLevelUri, MediaCapabilities.AbsSendTimeUri, MediaCapabilities.VideoOrientationUri,
    ];

    /// <summary>
    /// Header extensions passed on to subscribers; transport-wide sequence numbers and abs-send-time are stamped anew as
    /// packets leave, for the SFU's estimate of the subscriber's path (and the browser's, where it still sends REMB).
    /// </summary>
    private static readonly string[] SubscribeExtensions =
        [MediaCapabilities.AudioLevelUri, MediaCapabilities.AbsSendTimeUri, MediaCapabilities.VideoOrientationUri, MediaCapabilities.TransportWideCcUri];

    /// <summary>Feedback a subscriber may send the SFU: transport-wide CC feedback for the SFU's estimate, or REMB.</summary>
    private static readonly RtcpFeedbackType[] SubscriberVideoFeedback =
        [new(-1, "nack", null), new(-1, "nack", "pli"), new(-1, "ccm", "fir"), new(-1, "transport-cc", null), new(-1, "goog-remb", null)];

    public OfferOutcome Offer(string participantId, WebRtcOffer offer, MediaOffer request, out bool tracksChanged)
    {
        tracksChanged = false;
        SfuOptions limits = Service.Limits;
        var sections = offer.Sdp.Media;
        var byMid = sections.Where(m => m.Mid is not null).GroupBy(m => m.Mid!).ToDictionary(g => g.Key, g => g.First());
        var publish = new Dictionary<string, OfferedTrack>();
        foreach (var publication in request.Publish)
        {
            string kind = publication.Source.Kind().MediaType();
            if (!byMid.TryGetValue(publication.Mid, out var media)) return Invalid($"publish names mid '{publication.Mid}', which the offer does not have");
            if (media.Media != kind) return Invalid($"mid '{publication.Mid}' is {media.Media}, but {publication.Source.Name()} is {kind}");
            if (media.Direction is not ("sendonly" or "sendrecv")) return Invalid($"mid '{publication.Mid}' does not send (a={media.Direction ?? "sendrecv"})");
            int layers = Math.Max(publication.Layers?.Count ?? 0, media.Rids.Count(r => r.Direction == "send"));
            if (layers > MediaLimits.MaxSimulcastLayers) return Invalid($"mid '{publication.Mid}' sends {layers} simulcast layers; a track has at most {MediaLimits.MaxSimulcastLayers}");
            if (publish.Values.Any(p => p.Source == publication.Source)) return Invalid($"{publication.Source.Name()} is published twice");
            if (!publish.TryAdd(publication.Mid, publication)) return Invalid($"mid '{publication.Mid}' is published twice");
        }
        if (request.Subscribe.Count > limits.MaxSubscriptionsPerParticipant)
            return OfferOutcome.Refuse(OfferRefusal.TooManySubscriptions,
                $"{request.Subscribe.Count} subscriptions: a participant may receive at most {limits.MaxSubscriptionsPerParticipant} tracks (Media:Sfu:MaxSubscriptionsPerParticipant)");
        var subscribe = new Dictionary<string, WantedTrack>();
        foreach (var subscription in request.Subscribe)
        {
            if (!byMid.ContainsKey(subscription.Mid) || publish.ContainsKey(subscription.Mid) || !subscribe.TryAdd(subscription.Mid, subscription))
                return Invalid($"subscribe names mid '{subscription.Mid}', which the offer does not have or uses twice");
        }
        if (publish.Count > 0 && !request.MayPublish) return OfferOutcome.Refuse(OfferRefusal.NotPermitted, "you may not publish in this room");
        if (subscribe.Count > 0 && !request.MaySubscribe) return OfferOutcome.Refuse(OfferRefusal.NotPermitted, "you may not subscribe in this room");

        IMediaConnection? replaced = null;
        string answer;
        lock (_gate)
        {
            _participants.TryGetValue(participantId, out SfuParticipant? participant);
            bool publishes = participant?.Published.Count > 0;
            if (publish.Count > 0 && !publishes && _participants.Values.Count(p => p.Published.Count > 0) >= limits.MaxPublishersPerRoom)
                return OfferOutcome.Refuse(OfferRefusal.TooManyPublishers,
                    $"room '{Name}' has its maximum of {limits.MaxPublishersPerRoom} participants sending media (Media:Sfu:MaxPublishersPerRoom)");
            participant ??= new SfuParticipant(this, participantId);

            var answers = new List<SectionAnswer>(sections.Count);
            var published = new List<(PublishedTrack Track, TrackSetup Setup, MediaDescription Media)>();
            var subscriptions = new Dictionary<string, DownTrack>();
            MediaDescription? dataSection = null;
            foreach (var media in sections)
            {
                bool usable = media.Mid is not null && (media.Port != 0 || media.HasFlag("bundle-only"));
                if (usable && publish.TryGetValue(media.Mid!, out var publication) && AnswerPublication(participant, media, publication, out var track, out var setup, out var section))
                {
                    answers.Add(section);
                    published.Add((track, setup, media));
                }
                else if (usable && subscribe.TryGetValue(media.Mid!, out var subscription) && AnswerSubscription(participant, media, subscription, out var down, out section))
                {
                    answers.Add(section);
                    subscriptions[media.Mid!] = down;
                }
                else if (usable && dataSection is null && SectionAnswer.IsDataChannelOffer(media) && (request.MaySubscribe || request.MaySendData))
                {
                    dataSection = media;
                    answers.Add(SectionAnswer.DataChannels(media, new SctpAnswer(ParticipantData.SctpPort, limits.DataMaxMessageSize)));
                }
                else answers.Add(SectionAnswer.Reject(media));
            }

            // The same connection (renegotiation or ICE restart), or a new one (first offer, a new certificate: the page reloaded its peer).
            IMediaConnection? connection = participant.Connection;
            AnswerTransport? transport = null;
            bool newConnection = connection is null || request.PlainRtp is not null || !Service.Transport.TryRenegotiate(connection, offer, out transport);
            if (newConnection)
            {
                NewConnection? made = request.PlainRtp is { } plain ? Service.PlainRtp?.Connect(offer, participant, plain) : Service.Transport.Connect(offer, participant);
                if (made is not { } created)
                    return OfferOutcome.Refuse(OfferRefusal.Unavailable, "the media server holds its maximum number of connections (Media:MaxPeers)");
                replaced = connection;
                transport = created.Transport;
                participant.UseConnection(created.Connection);
            }

            tracksChanged = ApplyPublications(participant, published, newConnection, request.Publish);
            ApplySubscriptions(participant, subscriptions);
            participant.Route(Routes(published), newConnection);
            participant.MaySendData = request.MaySendData;
            UseDataChannels(participant, dataSection, newConnection);
            _participants[participantId] = participant;
            RefreshDataSnapshot();
            if (tracksChanged) SyncRecordersLocked();
            answer = SdpAnswer.Write(offer, answers, transport!).ToString();
        }
        replaced?.Close("replaced by a new connection");
        return OfferOutcome.Answer(answer);
    }

    /// <summary>The participant's end of the data bus: a new SCTP association with each new connection, none without a data section.</summary>
    private void UseDataChannels(SfuParticipant participant, MediaDescription? section, bool newConnection)
    {
        if (section is null || participant.Connection is not { } connection) participant.UseData(null);
        else if (newConnection || participant.Data?.Connection != connection)
        {
            long maxMessageSize = section.MaxMessageSize == 0 ? int.MaxValue : Math.Min(section.MaxMessageSize, int.MaxValue); // 0: no limit (RFC 8841 §6)
            participant.UseData(new ParticipantData(participant, connection, section.SctpPort is > 0 and <= ushort.MaxValue and var port ? port : ParticipantData.SctpPort, (int)maxMessageSize, Service.Limits));
        }
    }

    private static OfferOutcome Invalid(string message) => OfferOutcome.Refuse(OfferRefusal.InvalidOffer, message);

    /// <summary>A section the participant sends: the SFU receives it (simulcast by rid), capped at the participant's bit rate.</summary>
    private bool AnswerPublication(SfuParticipant participant, MediaDescription media, OfferedTrack publication,
        out PublishedTrack track, out TrackSetup setup, out SectionAnswer section)
    {
        var codecs = CodecNegotiation.Negotiate(media, media.Media == "audio" ? MediaCapabilities.Audio : MediaCapabilities.Video);
        track = participant.Published.TryGetValue(publication.Source, out var existing) ? existing : new PublishedTrack(participant, publication.Source);
        setup = TrackSetup.Empty;
        section = SectionAnswer.Reject(media);
        if (codecs.Count == 0) return false;
        var extensions = CodecNegotiation.NegotiateExtensions(media, PublishExtensions);
        var rids = media.Rids.Where(r => r.Direction == "send").Select(r => r.Id).ToList();
        // Layers low to high: in the order the client listed them, else as the offer has them.
        var ordered = publication.Layers is { Count: > 0 } layers && rids.Count > 1 && layers.All(l => rids.Contains(l.Rid))
            ? layers.Select(l => (l.Rid, l.Width, l.Height)).ToList()
            : rids.Count > 1 ? rids.Select(r => (r, 0, 0)).ToList() : [(null!, publication.Layers?.LastOrDefault()?.Width ?? 0, publication.Layers?.LastOrDefault()?.Height ?? 0)];
        var trackLayers = ordered.Select((l, i) => new TrackLayer(i, rids.Count > 1 ? l.Item1 : null, l.Item2, l.Item3)).ToArray();
        setup = new TrackSetup(media.Mid!, codecs, extensions, trackLayers, codecs[0].Codec.ClockRate);
        int? kbps = media.Media == "video" ? (int)(Service.Limits.MaxBitratePerParticipant / 1000) : null;
        section = new SectionAnswer(media, codecs, extensions, "recvonly", null, rids.Count > 1 ? trackLayers.Select(l => l.Rid!).ToList() : null, kbps);
        return true;
    }

    /// <summary>A section the participant receives a track on: the publisher's codec in the subscriber's payload types.</summary>
    private bool AnswerSubscription(SfuParticipant participant, MediaDescription media, WantedTrack subscription, out DownTrack down, out SectionAnswer section)
    {
        down = null!;
        section = SectionAnswer.Reject(media);
        PublishedTrack? track = _participants.Values.SelectMany(p => p.Published.Values).FirstOrDefault(t => t.Id == subscription.TrackId);
        if (track is null || track.Owner == participant || track.Kind.MediaType() != media.Media || media.Direction is not ("recvonly" or "sendrecv")) return false;
        TrackSetup setup = track.Setup;
        var feedback = track.IsVideo ? SubscriberVideoFeedback : [];
        var capabilities = setup.Codecs.Select(c => new CodecCapability(c.Codec.Encoding, c.Codec.ClockRate, c.Codec.Channels, c.Parameters?.Parameters, feedback)).ToList();
        var codecs = CodecNegotiation.Negotiate(media, capabilities);
        if (codecs.Count == 0) return false;
        var extensions = CodecNegotiation.NegotiateExtensions(media, SubscribeExtensions);
        if (participant.Subscriptions.TryGetValue(media.Mid!, out var current) && current.Track == track) down = current;
        else down = new DownTrack(participant, track, media.Mid!, FormatFor(setup, codecs, extensions), Service.Transport.Time.GetMillis());
        var source = new LocalSource(track.Owner.Id, track.Id, track.Owner.Id, down.Ssrc, down.HasRtx ? down.RtxSsrc : null);
        section = new SectionAnswer(media, codecs, extensions, "sendonly", source);
        return true;
    }

    /// <summary>The subscriber's payload type for each of the publisher's, its RTX payload type, and header extension ids.</summary>
    private static SubscriberFormat FormatFor(TrackSetup setup, IReadOnlyList<NegotiatedCodec> subscriber, IReadOnlyList<Extmap> extensions)
    {
        var payloadTypes = new byte[128];
        Array.Fill(payloadTypes, SubscriberFormat.NoPayloadType);
        int rtx = -1;
        foreach (var published in setup.Codecs)
        {
            var capability = new CodecCapability(published.Codec.Encoding, published.Codec.ClockRate, published.Codec.Channels, published.Parameters?.Parameters);
            var match = subscriber.FirstOrDefault(s => CodecNegotiation.Matches(capability, s.Codec, s.Parameters));
            if (match is null) continue;
            payloadTypes[published.Codec.PayloadType & 0x7F] = (byte)match.Codec.PayloadType;
            if (published == setup.Codecs[0] && match.RtxPayloadType is { } r) rtx = r;
        }
        var map = new byte[256];
        int absSendTime = 0, transportWideCc = 0;
        foreach (var extension in setup.Extensions)
        {
            if (extensions.FirstOrDefault(e => e.Uri == extension.Uri) is not { } received || extension.Id is < 1 or > 255) continue;
            map[extension.Id] = (byte)received.Id;
            if (extension.Uri == MediaCapabilities.AbsSendTimeUri) absSendTime = received.Id;
            if (extension.Uri == MediaCapabilities.TransportWideCcUri) transportWideCc = received.Id;
        }
        return new SubscriberFormat(payloadTypes, rtx, map, absSendTime, transportWideCc);
    }

    /// <summary>Publishes what the offer sends; tracks it no longer sends go. True when the room's track list changed.</summary>
    private static bool ApplyPublications(SfuParticipant participant, List<(PublishedTrack Track, TrackSetup Setup, MediaDescription Media)> published,
        bool newConnection, IReadOnlyList<OfferedTrack> requested)
    {
        bool changed = false;
        foreach (var gone in participant.Published.Values.Where(t => published.All(p => p.Track != t)).ToList())
        {
            Unpublish(participant, gone);
            changed = true;
        }
        foreach (var (track, setup, _) in published)
        {
            if (!participant.Published.ContainsKey(track.Source))
            {
                participant.Publish(track);
                track.SetMuted(requested.First(r => r.Source == track.Source).Muted);
                changed = true;
            }
            else if (!newConnection && setup.Layers.Length == track.Setup.Layers.Length && setup.Layers.Select(l => l.Rid).SequenceEqual(track.Setup.Layers.Select(l => l.Rid)))
            {
                // Same connection, same layers: keep the layers' buffers and SSRCs.
                track.Configure(setup with { Layers = track.Setup.Layers });
                continue;
            }
            if (newConnection) track.StartGeneration();
            track.Configure(setup);
        }
        return changed;
    }

    /// <summary>The subscriptions of this offer replace the previous ones; each new one asks its publisher for a keyframe.</summary>
    private static void ApplySubscriptions(SfuParticipant participant, Dictionary<string, DownTrack> subscriptions)
    {
        foreach (var (mid, down) in participant.Subscriptions)
            if (!subscriptions.TryGetValue(mid, out var kept) || kept != down) down.Track.Detach(down);
        foreach (var (mid, down) in subscriptions)
        {
            if (participant.Subscriptions.TryGetValue(mid, out var current) && current == down) continue;
            down.Track.Attach(down);
        }
        participant.Subscribe(subscriptions);
    }

    /// <summary>
    /// How the participant's packets find their tracks: SSRCs the offer lists (without simulcast), mids, extension ids.
    /// The participant binds the signalled SSRCs to their layers on its inbound path (<see cref="SfuParticipant.Route"/>).
    /// </summary>
    private static InboundRoutes Routes(List<(PublishedTrack Track, TrackSetup Setup, MediaDescription Media)> published)
    {
        var signalled = new Dictionary<uint, InboundStream>();
        var byMid = new Dictionary<string, PublishedTrack>();
        int Id(string uri) => published.SelectMany(p => p.Setup.Extensions).FirstOrDefault(e => e.Uri == uri)?.Id ?? 0;
        foreach (var (track, setup, media) in published)
        {
            byMid[setup.Mid] = track;
            if (track.Setup.Layers.Length != 1) continue;
            var rtx = media.SsrcGroups.Where(g => g.Semantics == "FID" && g.Ssrcs.Length == 2).ToList();
            var primary = media.Ssrcs.Except(rtx.Select(g => g.Ssrcs[1])).FirstOrDefault();
            if (primary == 0) continue;
            signalled[primary] = new InboundStream(track, 0, false);
            if (rtx.FirstOrDefault(g => g.Ssrcs[0] == primary) is { } group) signalled[group.Ssrcs[1]] = new InboundStream(track, 0, true);
        }
        return new InboundRoutes(signalled, byMid, Id(MediaCapabilities.MidUri), Id(MediaCapabilities.RidUri), Id(MediaCapabilities.RepairedRidUri),
            Id(MediaCapabilities.TransportWideCcUri), Id(MediaCapabilities.AudioLevelUri));
    }
}
