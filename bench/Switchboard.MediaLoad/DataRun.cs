using System.Diagnostics;

namespace Switchboard.MediaLoad;

/// <summary>What the participants of one data bus run share: the settings, the clock their SCTP runs on, and what went wrong.</summary>
internal sealed class DataRun(DataOptions options) : RoomRun(options.Url, options.Room, options.ConnectConcurrency)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public DataOptions Options { get; } = options;

    /// <summary>Milliseconds on the clock every association of the run is given.</summary>
    public long NowMillis => _clock.ElapsedMilliseconds;
}

/// <summary>
/// <c>--target data</c>: one sender and <paramref name="Receivers"/> receivers; the sender's messages carry
/// <paramref name="Size"/> bytes of payload on the reliable or (<paramref name="Lossy"/>) the lossy bus channel.
/// </summary>
internal sealed record DataOptions(Uri Url, string Room, int Receivers, int Size, bool Lossy, double Duration, double Warmup,
    int? ServerPid, int ConnectConcurrency);
