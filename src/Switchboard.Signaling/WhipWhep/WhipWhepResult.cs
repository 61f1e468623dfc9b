using Switchboard.Signaling.Ice;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>Why a WHIP or WHEP request did nothing; the endpoints map each to its HTTP status (docs/broadcast.md).</summary>
public enum WhipWhepError
{
    None,

    /// <summary>401: the server needs a token and got none.</summary>
    TokenRequired,

    /// <summary>401: the token is malformed, badly signed or expired.</summary>
    TokenInvalid,

    /// <summary>403: the token lacks the grant (join and publish, or join and subscribe), or admits to another room.</summary>
    Forbidden,

    /// <summary>404: no such room (and the server creates none on demand), or no such session.</summary>
    NotFound,

    /// <summary>400: the SDP is malformed, has no audio or video to send (WHIP) or receive (WHEP), or more sections than sources.</summary>
    InvalidOffer,

    /// <summary>409: the room is a p2p room: its media does not go through the server.</summary>
    Conflict,

    /// <summary>409 with Retry-After: (WHEP) nothing the offer can receive is published in the room yet.</summary>
    NothingPublished,

    /// <summary>503: the room, the server's rooms or the media server are full; try again later.</summary>
    Full,

    /// <summary>428: a PATCH without If-Match (RFC 9725 §4.3.1).</summary>
    PreconditionRequired,

    /// <summary>412: a PATCH whose If-Match names another entity-tag.</summary>
    PreconditionFailed,
}

/// <summary>
/// What became of a WHIP or WHEP request: the session and the body to answer with (an SDP answer, or an ICE restart's
/// answer fragment), or the error and a sentence for the client.
/// </summary>
public sealed record WhipWhepResult(WhipWhepError Error, string? Message, WhipWhepSession? Session = null, string? Body = null,
    IReadOnlyList<IceServer>? IceServers = null)
{
    public static WhipWhepResult Fail(WhipWhepError error, string message) => new(error, message);
}

/// <summary>Who a WHIP or WHEP client is, from its bearer token (or as a guest), or why it may not connect.</summary>
public sealed record WhipWhepClient(string Identity, string Name, Tokens.Grants Grants, WhipWhepError Error = WhipWhepError.None, string? Message = null);
