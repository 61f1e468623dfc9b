using System.Diagnostics.Metrics;

namespace Switchboard.Signaling;

/// <summary>The signaling server's instruments (meter "Switchboard.Signaling").</summary>
public sealed class SignalingMetrics : IDisposable
{
    public const string MeterName = "Switchboard.Signaling";

    readonly Meter _meter;
    readonly Counter<long> _relayed;
    readonly Counter<long> _errors;
    readonly Histogram<double> _joinDuration;

    public SignalingMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _relayed = _meter.CreateCounter<long>("switchboard.signaling.messages.relayed", "{message}",
            "Messages relayed from one participant to others (offer, answer, candidate, message), counted per recipient.");
        _errors = _meter.CreateCounter<long>("switchboard.signaling.errors", "{error}", "Error messages sent to clients, by code.");
        _joinDuration = _meter.CreateHistogram("switchboard.signaling.join.duration", "s",
            "Time from a join request to its joined answer: token check, room store admission, the answer queued.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = JoinBuckets });
    }

    /// <summary>Called once by the hub with its live counts.</summary>
    public void Observe(Func<int> connections, Func<int> participants, Func<int> rooms, Func<long> resumeBytes)
    {
        _meter.CreateObservableUpDownCounter("switchboard.signaling.resume_buffers.size", resumeBytes, "By",
            "Bytes of messages kept for resumes (Signaling:ResumeBufferTotalBytes); a message kept for many participants counts once.");
        _meter.CreateObservableUpDownCounter("switchboard.signaling.connections", connections, "{connection}", "Open WebSocket connections.");
        _meter.CreateObservableUpDownCounter("switchboard.signaling.participants", participants, "{participant}", "Participants on this node, connected or within their resume window.");
        _meter.CreateObservableUpDownCounter("switchboard.signaling.rooms", rooms, "{room}", "Rooms that exist.");
    }

    /// <summary>Seconds: a join on one node takes well under a millisecond; a store across the network tens of them.</summary>
    static readonly double[] JoinBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    public void Joined(TimeSpan duration) => _joinDuration.Record(duration.TotalSeconds);

    public void Relayed(int recipients) => _relayed.Add(recipients);

    public void Error(string code) => _errors.Add(1, new KeyValuePair<string, object?>("code", code));

    public void Dispose() => _meter.Dispose();
}
