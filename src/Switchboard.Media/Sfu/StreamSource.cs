using Switchboard.Media.Contracts;

namespace Switchboard.Media.Sfu;

/// <summary>
/// Which publisher stream a subscriber's packets come from: a simulcast layer of one generation of the track (a
/// generation lasts as long as the publisher's connection). <see cref="Key"/> names it to the stream rewriters, one
/// distinct number per (generation, layer) since offers never have more than <see cref="MediaLimits.MaxSimulcastLayers"/>.
/// </summary>
internal readonly record struct StreamSource(int Generation, int Layer)
{
    public int Key => Generation * MediaLimits.MaxSimulcastLayers + Layer;

    public static StreamSource FromKey(int key) => new(key / MediaLimits.MaxSimulcastLayers, key % MediaLimits.MaxSimulcastLayers);
}
