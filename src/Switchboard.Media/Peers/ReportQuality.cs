using Switchboard.Protocols.Rtcp;

namespace Switchboard.Media.Peers;

/// <summary>What a receiver report says of a path: the worst fraction lost (0..1) and jitter (ms) of its report blocks.</summary>
public readonly record struct ReportQuality(double FractionLost, double JitterMs)
{
    /// <summary>The worst of <paramref name="blocks"/>; null for none. <paramref name="clockRate"/> gives each stream's RTP clock rate (Hz).</summary>
    public static ReportQuality? Worst(ReadOnlySpan<ReportBlock> blocks, Func<uint, int> clockRate)
    {
        if (blocks.IsEmpty) return null;
        double lost = 0, jitter = 0;
        foreach (ReportBlock block in blocks)
        {
            lost = Math.Max(lost, block.FractionLost / 256.0);
            int rate = clockRate(block.Ssrc);
            if (rate > 0) jitter = Math.Max(jitter, block.Jitter * 1000.0 / rate);
        }
        return new ReportQuality(lost, jitter);
    }
}
