using Switchboard.Media.Sfu.Selection;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>Which simulcast layer a subscriber gets for its bandwidth, rendered size and current layer.</summary>
public class SimulcastLayerSelectorTests
{
    private const long Unlimited = long.MaxValue;
    private const string Three = "320x180@150000 640x360@500000 1280x720@1500000";

    /// <summary>Layers as "WxH@bitrate", lowest first; a leading "-" marks an inactive layer.</summary>
    private static SimulcastLayer[] Layers(string layers) =>
    [
        .. layers.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(layer =>
        {
            bool active = !layer.StartsWith('-');
            var parts = layer.TrimStart('-').Split('x', '@');
            return new SimulcastLayer(active, long.Parse(parts[2]), int.Parse(parts[0]), int.Parse(parts[1]));
        }),
    ];

    [Theory]
    // Bandwidth, from nothing forwarded: going up needs 10 % over the layer's bitrate.
    [InlineData(Three, Unlimited, 0, 0, -1, 2)]
    [InlineData(Three, 1_000_000, 0, 0, -1, 1)]
    [InlineData(Three, 1_650_000, 0, 0, -1, 1)] // exactly 10 % over is not more than 10 %
    [InlineData(Three, 1_650_001, 0, 0, -1, 2)]
    [InlineData(Three, 520_000, 0, 0, -1, 0)]
    [InlineData(Three, 100_000, 0, 0, -1, 0)] // nothing fits: the lowest
    // Hysteresis: staying needs the bitrate, going up 10 % more, going down is at once.
    [InlineData(Three, 520_000, 0, 0, 1, 1)]
    [InlineData(Three, 500_000, 0, 0, 1, 1)]
    [InlineData(Three, 499_999, 0, 0, 1, 0)]
    [InlineData(Three, 1_600_000, 0, 0, 1, 1)]
    [InlineData(Three, 1_700_000, 0, 0, 1, 2)]
    [InlineData(Three, 1_500_000, 0, 0, 2, 2)]
    [InlineData(Three, 1_000_000, 0, 0, 2, 1)]
    [InlineData(Three, 100_000, 0, 0, 2, 0)]
    [InlineData(Three, 160_000, 0, 0, 0, 0)] // the lowest needs no headroom once forwarded
    // Rendered size: the smallest layer that covers it is enough.
    [InlineData(Three, Unlimited, 640, 360, -1, 1)]
    [InlineData(Three, Unlimited, 641, 360, -1, 2)]
    [InlineData(Three, Unlimited, 320, 180, 2, 0)] // the window shrank: down at once
    [InlineData(Three, Unlimited, 100, 50, -1, 0)]
    [InlineData(Three, Unlimited, 1920, 1080, -1, 2)] // bigger than every layer: the biggest
    [InlineData(Three, Unlimited, 600, 0, -1, 1)] // width known only
    [InlineData(Three, Unlimited, 0, 200, -1, 1)] // height known only
    [InlineData(Three, 600_000, 1280, 720, 1, 1)] // size wants the highest, bandwidth does not allow it
    // Inactive layers are never chosen.
    [InlineData("320x180@150000 640x360@500000 -1280x720@1500000", Unlimited, 0, 0, 2, 1)]
    [InlineData("-320x180@150000 640x360@500000 1280x720@1500000", 100_000, 0, 0, -1, 1)]
    [InlineData("320x180@150000 -640x360@500000 1280x720@1500000", 1_000_000, 0, 0, -1, 0)]
    [InlineData("320x180@150000 -640x360@500000 1280x720@1500000", Unlimited, 400, 300, -1, 2)]
    [InlineData("-320x180@150000 -640x360@500000 -1280x720@1500000", Unlimited, 0, 0, 1, -1)]
    [InlineData("", Unlimited, 0, 0, -1, -1)]
    // One layer (no simulcast): chosen whenever it is active.
    [InlineData("0x0@2000000", 100_000, 0, 0, -1, 0)]
    [InlineData("0x0@2000000", Unlimited, 320, 180, 0, 0)]
    [InlineData("-0x0@2000000", Unlimited, 0, 0, 0, -1)]
    // A layer of unknown size covers the rendered size only as the highest.
    [InlineData("0x0@150000 0x0@500000 0x0@1500000", Unlimited, 320, 180, -1, 2)]
    [InlineData("320x180@150000 0x0@500000 1280x720@1500000", Unlimited, 640, 360, -1, 2)]
    [InlineData("320x180@150000 640x360@500000 0x0@1500000", Unlimited, 1280, 720, -1, 2)]
    [InlineData("0x0@150000 640x360@500000 1280x720@1500000", Unlimited, 320, 180, -1, 1)]
    // A layer whose bitrate is not measured yet (0) fits any bandwidth.
    [InlineData("320x180@150000 640x360@0 1280x720@0", Unlimited, 0, 0, -1, 2)]
    public void Selects(string layers, long available, int width, int height, int current, int expected) =>
        Assert.Equal(expected, SimulcastLayerSelector.Select(Layers(layers), available, width, height, current));

    [Fact]
    public void A_bandwidth_estimate_wobbling_around_a_layer_bitrate_does_not_flap()
    {
        var layers = Layers(Three);
        int current = SimulcastLayerSelector.Select(layers, 1_400_000, 0, 0, -1);
        Assert.Equal(1, current);
        var changes = new List<int>();
        foreach (long estimate in new long[] { 1_520_000, 1_560_000, 1_480_000, 1_620_000, 1_700_000, 1_580_000, 1_520_000, 1_640_000, 1_490_000 })
        {
            int next = SimulcastLayerSelector.Select(layers, estimate, 0, 0, current);
            if (next != current) changes.Add(next);
            current = next;
        }
        Assert.Equal([2, 1], changes); // up once past 1.65 Mbit/s, down once below 1.5 Mbit/s
    }
}
