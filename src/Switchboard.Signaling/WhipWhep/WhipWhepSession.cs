using System.Security.Cryptography;
using Switchboard.Media.Contracts;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>WHIP (RFC 9725) publishes into a room; WHEP (draft-ietf-wish-whep) plays a room's tracks.</summary>
public enum WhipWhepKind
{
    Whip,
    Whep,
}

/// <summary>
/// One WHIP or WHEP session: the resource its <c>Location</c> names (<see cref="Id"/>, unguessable: knowing the URL is
/// what lets a client patch or end it), the room participant it is, and what it offered. Its offer changes only with
/// an ICE restart, under <see cref="Gate"/>; each restart gives it a new entity-tag (RFC 9725 §4.3.1).
/// </summary>
public sealed class WhipWhepSession(WhipWhepKind kind, string id, string participantId, string room, MediaOffer offer)
{
    public WhipWhepKind Kind { get; } = kind;
    public string Id { get; } = id;
    public string ParticipantId { get; } = participantId;
    public string Room { get; } = room;

    /// <summary>The offer as the media server last took it: the client's ICE credentials now, its sections' tracks.</summary>
    public MediaOffer Offer { get; private set; } = offer;

    /// <summary>The ICE session's entity-tag, quoted as the <c>ETag</c> header carries it.</summary>
    public string ETag { get; private set; } = NewETag();

    internal Lock Gate { get; } = new();

    /// <summary>An ICE restart was answered: the offer with the client's new credentials, and a new entity-tag.</summary>
    internal void Restarted(MediaOffer offer)
    {
        Offer = offer;
        ETag = NewETag();
    }

    /// <summary>RFC 9110 §13.1.1: <c>*</c> or the current entity-tag (a weak comparison; the tag is never weak).</summary>
    public bool Matches(string ifMatch) =>
        ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(t => t == "*" || t.TrimStart('W', '/') == ETag);

    static string NewETag() => "\"" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + "\"";
}
