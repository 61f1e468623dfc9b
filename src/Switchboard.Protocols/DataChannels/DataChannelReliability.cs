namespace Switchboard.Protocols.DataChannels;

/// <summary>
/// How a channel delivers (RFC 8831 §6.1): ordered or not, and reliable or partially reliable by number of
/// retransmissions or by lifetime (RFC 3758). Both limits null is reliable.
/// </summary>
public readonly record struct DataChannelReliability(bool Ordered = true, int? MaxRetransmits = null, int? MaxLifetimeMillis = null)
{
    public static DataChannelReliability Reliable => new(Ordered: true);

    /// <summary>Unordered and never retransmitted: what is late or lost is gone (<c>ordered: false, maxRetransmits: 0</c>).</summary>
    public static DataChannelReliability Lossy => new(Ordered: false, MaxRetransmits: 0);

    public bool IsReliable => MaxRetransmits is null && MaxLifetimeMillis is null;
}
