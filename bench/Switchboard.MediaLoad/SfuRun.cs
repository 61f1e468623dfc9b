using System.Collections.Concurrent;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>What the publishers and subscribers of one SFU run share: the settings, the latency histogram, and what went wrong.</summary>
internal sealed class SfuRun(SfuOptions options)
{
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<string, int> _serverErrors = new();

    public SfuOptions Options { get; } = options;

    /// <summary>Publish-to-subscriber time of media packets (not retransmissions).</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Participant id of each publisher that joined (after the publishers have connected: that connected), to its index.</summary>
    public ConcurrentDictionary<string, int> Publishers { get; } = new();

    public IReadOnlyCollection<string> Problems => _problems;

    public IReadOnlyDictionary<string, int> ServerErrors => _serverErrors;

    /// <summary>Something the server did that the tool did not expect (kept in full, printed at the end).</summary>
    public void Problem(string text) => _problems.Enqueue(text);

    /// <summary>An <c>error</c> message from the server: counted by code, and the first of each code kept in full.</summary>
    public void ServerError(string who, string code, string? message)
    {
        if (_serverErrors.AddOrUpdate(code, 1, (_, n) => n + 1) == 1) Problem($"{who}: server error {code}: {message}");
    }
}

internal sealed record SfuOptions(Uri Url, int Publishers, int Subscribers, string Room, double Duration, double Warmup, double VideoKbps,
    int? ServerPid, int ConnectConcurrency, TimeSpan FirstPacketLimit);
