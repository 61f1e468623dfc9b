namespace Switchboard.Media.Sfu.Selection;

/// <summary>
/// Picks the simulcast layer (RFC 8853) a subscriber gets: the highest active one that fits the subscriber's
/// bandwidth and is no bigger than the size it renders. Going up needs 10 % of headroom over the layer's bitrate, so
/// a bandwidth near a layer's bitrate does not flap between two layers; going down happens at once.
/// </summary>
public static class SimulcastLayerSelector
{
    /// <param name="layers">Ordered from the lowest to the highest quality.</param>
    /// <param name="availableBitsPerSecond">The subscriber's bandwidth; <see cref="long.MaxValue"/> when unknown or unlimited.</param>
    /// <param name="renderedWidth">The size the subscriber renders; 0 for a dimension that is unknown (both 0: no size limit).</param>
    /// <param name="renderedHeight">See <paramref name="renderedWidth"/>.</param>
    /// <param name="current">The layer now forwarded, -1 for none (every layer is then "up").</param>
    /// <returns>
    /// The layer's index: the highest active one that fits the bandwidth, at most the smallest active layer that covers
    /// the rendered size (a layer of unknown size 0x0 covers it only as the highest); the lowest active one when none
    /// fits the bandwidth; -1 when no layer is active.
    /// </returns>
    public static int Select(ReadOnlySpan<SimulcastLayer> layers, long availableBitsPerSecond, int renderedWidth, int renderedHeight, int current)
    {
        int lowest = -1, highest = -1;
        for (int i = 0; i < layers.Length; i++)
        {
            if (!layers[i].Active) continue;
            if (lowest < 0) lowest = i;
            highest = i;
        }
        if (lowest < 0) return -1;

        int largestUseful = highest;
        if (renderedWidth > 0 || renderedHeight > 0)
        {
            for (int i = lowest; i < highest; i++)
            {
                var layer = layers[i];
                if (layer.Active && layer.Width > 0 && layer.Height > 0 && layer.Width >= renderedWidth && layer.Height >= renderedHeight)
                {
                    largestUseful = i;
                    break;
                }
            }
        }

        for (int i = largestUseful; i >= lowest; i--)
        {
            var layer = layers[i];
            if (layer.Active && Fits(layer.Bitrate, availableBitsPerSecond, up: i > current)) return i;
        }
        return lowest;
    }

    private static bool Fits(long bitrate, long available, bool up) => up ? FitsUp(bitrate, available) : available >= bitrate;

    /// <summary>Going up takes a tenth of headroom over the layer's bit rate.</summary>
    public static bool FitsUp(long bitrate, long available) => available > NeededToStepUp(bitrate);

    public static long NeededToStepUp(long bitrate) => bitrate + bitrate / 10;

    /// <summary>
    /// What going up to a layer is reckoned to cost: its measured bit rate, but at least one bit per pixel per second,
    /// since a layer the publisher has just resumed reads low while its encoder ramps up.
    /// </summary>
    public static long StepUpBitrate(SimulcastLayer layer) => Math.Max(layer.Bitrate, (long)layer.Width * layer.Height);
}
