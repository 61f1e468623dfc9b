using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Rtcp;

namespace Switchboard.Benchmarks;

/// <summary>
/// RTCP as a browser sends it and as the server answers it: parse of a typical compound (SR with one report block,
/// SDES CNAME, generic NACK, PLI) walking every packet, and transport-wide congestion control feedback for 100 packets,
/// built (<see cref="TransportFeedbackBuilder"/>) and read back (<see cref="TransportFeedback"/>).
/// </summary>
[MemoryDiagnoser]
public class RtcpBenchmarks
{
    public const int FeedbackPackets = 100;

    byte[] _compound = [];
    byte[] _transportFeedback = [];
    readonly byte[] _output = new byte[1200];
    readonly ushort[] _lost = new ushort[17 * 8];
    readonly TransportFeedbackBuilder _builder = new();
    ushort _sequence;
    long _now = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        var buffer = new byte[300];
        int n = new SenderReport(0x1111, 0xE800_0000_1234_5678, 90_000, 1_000, 1_200_000, [new ReportBlock(0x2222, 3, 12, 0x0001_2345, 40, 0x1234_5678, 6_554)]).Write(buffer);
        n += SourceDescription.WriteCname(buffer.AsSpan(n), 0x1111, "4TOk42mSjXCkVIa6");
        n += GenericNack.Write(buffer.AsSpan(n), 0x1111, 0x2222, [1000, 1001, 1005, 1030]);
        n += PictureLossIndication.Write(buffer.AsSpan(n), 0x1111, 0x2222);
        _compound = buffer[..n];
        if (!new RtcpCompound(_compound).IsWellFormed()) throw new InvalidOperationException("compound");

        // A feedback as the builder writes it for 100 packets (two of them lost) 0.5 ms apart with some jitter.
        var builder = new TransportFeedbackBuilder();
        ushort sequence = 60_000;
        long now = 1_000_000;
        RecordHundred(builder, ref sequence, ref now);
        n = builder.Write(buffer, 0x1111, 0x2222);
        if (n <= 0 || builder.PendingCount != 0) throw new InvalidOperationException("transport feedback");
        _transportFeedback = buffer[..n];
    }

    static void RecordHundred(TransportFeedbackBuilder builder, ref ushort sequence, ref long now)
    {
        for (int i = 0; i < FeedbackPackets; i++)
        {
            if (i is 30 or 70) sequence++; // lost
            builder.Record(sequence++, now + i * 500 + i % 7 * 40);
        }
        now += 100 * 500;
    }

    [Benchmark(Description = "RTCP compound parse: SR (1 block) + SDES + NACK + PLI")]
    public long RtcpBrowserCompound()
    {
        long result = 0;
        foreach (var packet in new RtcpCompound(_compound))
        {
            if (ReportPacket.TryRead(packet, out var report)) result += report.PacketCount + report.Block(0).CumulativeLost;
            else if (FeedbackPacket.TryRead(packet, out var feedback))
            {
                if (GenericNack.Is(feedback)) result += GenericNack.Expand(feedback, _lost);
                else if (PictureLossIndication.Is(feedback)) result += feedback.MediaSsrc;
            }
            else result += packet.SenderSsrc;
        }
        return result;
    }

    [Benchmark(Description = "transport-wide CC feedback: Record x100 + Write")]
    public int TransportFeedbackBuild()
    {
        RecordHundred(_builder, ref _sequence, ref _now);
        return _builder.Write(_output, 0x1111, 0x2222);
    }

    [Benchmark(Description = "transport-wide CC feedback: TryRead + enumerate 100 packets")]
    public long TransportFeedbackRead()
    {
        long result = 0;
        foreach (var packet in new RtcpCompound(_transportFeedback))
        {
            if (!FeedbackPacket.TryRead(packet, out var feedback) || !TransportFeedback.TryRead(feedback, out var transportFeedback)) continue;
            foreach (var status in transportFeedback) result += status.Received ? status.ArrivalMicroseconds : status.SequenceNumber;
        }
        return result;
    }
}
