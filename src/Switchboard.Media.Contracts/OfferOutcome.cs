namespace Switchboard.Media.Contracts;

/// <summary>The answer to an offer, or why there is none and a sentence for the participant.</summary>
public sealed record OfferOutcome(string? AnswerSdp, OfferRefusal Refusal, string? Message)
{
    public static OfferOutcome Answer(string sdp) => new(sdp, OfferRefusal.None, null);

    public static OfferOutcome Refuse(OfferRefusal refusal, string message) => new(null, refusal, message);
}

/// <summary>Why an offer got no answer.</summary>
public enum OfferRefusal
{
    None,

    /// <summary>The SDP, or what the participant says its sections carry, is wrong.</summary>
    InvalidOffer,

    /// <summary>It publishes without the publish grant, or subscribes without the subscribe grant.</summary>
    NotPermitted,

    TooManyPublishers,
    TooManySubscriptions,

    /// <summary>The media server holds its maximum of connections, or runs in another process.</summary>
    Unavailable,
}
