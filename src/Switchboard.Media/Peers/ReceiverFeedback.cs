using Switchboard.Protocols.Rtcp;

namespace Switchboard.Media.Peers;

/// <summary>
/// What a receiver tells a browser that sends to it: receiver reports (RFC 3550 §6.4.2: loss, jitter, and LSR/DLSR for
/// its round trip) and transport-wide congestion control feedback (the arrival time of every packet, to the microsecond on the host's clock), from which the
/// browser's sender estimates the bandwidth and ramps up. Thread-safe: packets are recorded on a receive thread and
/// reports written on the host's timer.
/// </summary>
public sealed class ReceiverFeedback(uint localSsrc, string cname, TimeProvider time)
{
    private const int MaxStreams = 31; // report blocks in one RR

    private readonly Lock _gate = new();
    private readonly Dictionary<uint, ReceptionStatistics> _reception = [];
    private readonly TransportFeedbackBuilder _transportFeedback = new();
    private readonly long _clockStart = time.GetTimestamp();

    /// <summary>The RTCP sender SSRC of the reports and feedback.</summary>
    public uint LocalSsrc { get; } = localSsrc;

    /// <summary>The worst loss and jitter of the streams in the last receiver report (none before the first).</summary>
    public ReportQuality? LastReport { get; private set; }

    /// <summary>Packets lost over every stream so far.</summary>
    public long CumulativeLost
    {
        get { lock (_gate) return _reception.Values.Sum(r => Math.Max(0, r.CumulativeLost)); }
    }

    /// <summary>An RTP packet arrived; <paramref name="transportSequence"/> is its transport-wide sequence number, or -1.</summary>
    public void OnRtp(uint ssrc, int clockRate, ushort sequenceNumber, uint timestamp, int transportSequence, long nowMillis)
    {
        lock (_gate)
        {
            if (!_reception.TryGetValue(ssrc, out ReceptionStatistics? statistics))
            {
                if (_reception.Count >= MaxStreams) return;
                _reception[ssrc] = statistics = new ReceptionStatistics(ssrc, clockRate);
            }
            statistics.OnPacket(sequenceNumber, timestamp, nowMillis);
            if (transportSequence >= 0) _transportFeedback.Record((ushort)transportSequence, (long)time.GetElapsedTime(_clockStart).TotalMicroseconds);
        }
    }

    public void OnSenderReport(uint ssrc, ulong ntpTimestamp, long nowMillis)
    {
        lock (_gate)
            if (_reception.TryGetValue(ssrc, out ReceptionStatistics? statistics)) statistics.OnSenderReport(ntpTimestamp, nowMillis);
    }

    /// <summary>Sends the transport-wide feedback gathered since the last call (as many packets as it takes).</summary>
    public void SendTransportFeedback(IMediaConnection peer, Span<byte> buffer)
    {
        while (true)
        {
            int written;
            lock (_gate)
            {
                if (_transportFeedback.PendingCount == 0 || _reception.Count == 0) return;
                written = _transportFeedback.Write(buffer[..Math.Min(buffer.Length - MediaPeer.ProtectionOverhead, 1200)], LocalSsrc, _reception.Keys.First());
            }
            if (written <= 0 || !peer.SendRtcp(buffer, written)) return;
        }
    }

    /// <summary>Sends a receiver report with SDES CNAME on every stream received.</summary>
    public void SendReceiverReport(IMediaConnection peer, Span<byte> buffer, long nowMillis)
    {
        int written;
        lock (_gate)
        {
            if (_reception.Count == 0) return;
            ReportBlock[] blocks = _reception.Values.Select(r => r.CreateReportBlock(nowMillis)).ToArray();
            LastReport = ReportQuality.Worst(blocks, ssrc => _reception[ssrc].ClockRate);
            peer.Statistics.PacketsLost = _reception.Values.Sum(r => Math.Max(0, r.CumulativeLost));
            written = new ReceiverReport(LocalSsrc, blocks).Write(buffer);
            if (written < 0) return;
            int sdes = SourceDescription.WriteCname(buffer[written..], LocalSsrc, cname);
            if (sdes > 0) written += sdes;
        }
        peer.SendRtcp(buffer, written);
    }
}
