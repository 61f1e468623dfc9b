using System.Diagnostics;

namespace Switchboard.Media;

/// <summary>
/// The media server's spans (ActivitySource "Switchboard.Media", docs/tracing.md): the SFU's answer to an offer, a
/// child of whatever span asked for it (signaling's "media offer"). Nothing is recorded while no listener samples.
/// </summary>
public static class MediaTracing
{
    public const string SourceName = "Switchboard.Media";

    internal static readonly ActivitySource Source = new(SourceName);
}
