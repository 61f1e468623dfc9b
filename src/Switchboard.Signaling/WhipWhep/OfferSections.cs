using Switchboard.Media.Contracts;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>An audio or video section of an SDP offer: its kind, mid (RFC 8843), direction (RFC 8866 §6.7) and whether it is in use.</summary>
internal readonly record struct OfferSection(TrackKind Kind, string? Mid, string Direction, bool Enabled)
{
    public bool Sends => Enabled && Mid is not null && Direction is "sendrecv" or "sendonly";
    public bool Receives => Enabled && Mid is not null && Direction is "sendrecv" or "recvonly";
}

/// <summary>
/// What a WHIP or WHEP client's offer carries, read from its sections (a client that only has <c>fetch</c> and
/// <c>RTCPeerConnection</c> says nothing else): a WHIP offer's sending sections become the participant's tracks, a WHEP
/// offer's receiving sections each get one of the room's tracks.
/// </summary>
internal static class OfferSections
{
    /// <summary>The audio and video sections in offer order; port 0 without bundle-only is disabled (RFC 8843 §6).</summary>
    public static List<OfferSection> Read(string sdp)
    {
        var sections = new List<OfferSection>();
        string sessionDirection = "sendrecv";
        TrackKind? kind = null;
        string? mid = null, direction = null;
        bool inMedia = false, disabled = false, bundleOnly = false;

        void End()
        {
            if (kind is { } k) sections.Add(new OfferSection(k, mid, direction ?? sessionDirection, !disabled || bundleOnly));
        }

        foreach (var raw in sdp.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("m="))
            {
                End();
                inMedia = true;
                mid = direction = null;
                bundleOnly = false;
                var fields = line[2..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                kind = fields.Length == 0 ? null : fields[0] switch { "audio" => TrackKind.Audio, "video" => TrackKind.Video, _ => null };
                disabled = fields.Length > 1 && fields[1] == "0";
            }
            else if (line is "a=sendrecv" or "a=sendonly" or "a=recvonly" or "a=inactive")
            {
                if (inMedia) direction = line[2..].ToString();
                else sessionDirection = line[2..].ToString();
            }
            else if (line.StartsWith("a=mid:") && inMedia) mid = line[6..].Trim().ToString();
            else if (line is "a=bundle-only") bundleOnly = true;
        }
        End();
        return sections;
    }

    /// <summary>
    /// A WHIP offer's tracks: its first sending audio section is the microphone and the second the screen's audio,
    /// its first sending video section the camera and the second the screen. Null with <paramref name="problem"/> when
    /// it sends nothing or more than that.
    /// </summary>
    public static List<OfferedTrack>? Publications(IReadOnlyList<OfferSection> sections, out string? problem)
    {
        TrackSource[] audio = [TrackSource.Microphone, TrackSource.ScreenAudio], video = [TrackSource.Camera, TrackSource.Screen];
        var tracks = new List<OfferedTrack>();
        int audios = 0, videos = 0;
        foreach (var section in sections.Where(s => s.Sends))
        {
            ref int count = ref section.Kind == TrackKind.Audio ? ref audios : ref videos;
            var sources = section.Kind == TrackKind.Audio ? audio : video;
            if (count == sources.Length)
            {
                problem = $"the offer sends more than {sources.Length} {section.Kind.MediaType()} sections; a participant publishes at most " +
                    string.Join(" and ", sources.Select(s => s.Name()));
                return null;
            }
            tracks.Add(new OfferedTrack(section.Mid!, sources[count++]));
        }
        problem = tracks.Count == 0 ? "the offer sends no audio or video: a WHIP offer has sendonly (or sendrecv) audio or video sections with a mid" : null;
        return problem is null ? tracks : null;
    }

    /// <summary>
    /// A WHEP offer's subscriptions: each receiving section gets a track of its kind nobody else in the offer gets,
    /// cameras and microphones before screens, and once a publisher is chosen its other tracks first (so one audio and
    /// one video section play one publisher). Sections without a track are left out (the answer rejects them).
    /// </summary>
    public static List<WantedTrack> Subscriptions(IReadOnlyList<OfferSection> sections, IReadOnlyList<TrackInfo> tracks)
    {
        var wanted = new List<WantedTrack>();
        var taken = new HashSet<string>();
        string? publisher = null;
        foreach (var section in sections.Where(s => s.Receives).OrderBy(s => s.Kind == TrackKind.Video ? 0 : 1))
        {
            var track = tracks.Where(t => t.Kind == section.Kind && !taken.Contains(t.Id))
                .OrderBy(t => t.ParticipantId == publisher ? 0 : 1)
                .ThenBy(t => t.Source is TrackSource.Camera or TrackSource.Microphone ? 0 : 1)
                .FirstOrDefault();
            if (track is null) continue;
            taken.Add(track.Id);
            publisher ??= track.ParticipantId;
            wanted.Add(new WantedTrack(section.Mid!, track.Id));
        }
        return wanted;
    }
}
