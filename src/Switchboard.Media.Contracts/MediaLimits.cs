namespace Switchboard.Media.Contracts;

/// <summary>Limits of the media server that clients must know before they offer.</summary>
public static class MediaLimits
{
    /// <summary>Simulcast layers one track may send (RFC 8853 encodings): browsers send three at most.</summary>
    public const int MaxSimulcastLayers = 3;
}
