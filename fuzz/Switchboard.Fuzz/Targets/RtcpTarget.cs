using Switchboard.Protocols.Rtcp;

namespace Switchboard.Fuzz;

/// <summary>
/// An RTCP compound as the media server receives it after SRTCP: the compound iterated packet by packet and every
/// reader called on every packet, whatever its type (each must refuse what is not its own): SR and RR (the copying
/// records and the in-place view), SDES CNAME, BYE, the feedback header, generic NACK, PLI, FIR, REMB and
/// transport-wide CC feedback with all its statuses. The readers return false for bad input and never throw.
/// </summary>
public static class RtcpTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var compound = new RtcpCompound(data);
        compound.IsWellFormed();
        Span<ushort> lost = stackalloc ushort[data.Length / 4 * 17 + 1];
        Span<uint> ssrcs = stackalloc uint[31];
        int packets = 0;
        var enumerator = compound.GetEnumerator();
        while (enumerator.MoveNext())
        {
            FuzzInvariantException.Check(++packets <= data.Length / 4, "more packets than the compound holds");
            FuzzInvariantException.Check(enumerator.Offset <= data.Length, "packet past the compound");
            var packet = enumerator.Current;
            _ = (packet.Type, packet.Count, packet.SenderSsrc);

            if (SenderReport.TryRead(packet, out var sr)) FuzzInvariantException.Check(sr.Reports.Length == packet.Count, "SR report count");
            if (ReceiverReport.TryRead(packet, out var rr)) FuzzInvariantException.Check(rr.Reports.Length == packet.Count, "RR report count");
            if (ReportPacket.TryRead(packet, out var report))
            {
                _ = (report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, report.PacketCount, report.OctetCount);
                for (int i = 0; i < report.BlockCount; i++) _ = report.Block(i);
            }
            SourceDescription.TryReadCname(packet, out _, out _);
            if (Goodbye.TryRead(packet, ssrcs, out int leaving, out _)) FuzzInvariantException.Check(leaving == packet.Count, "BYE count");

            if (!FeedbackPacket.TryRead(packet, out var feedback)) continue;
            _ = (feedback.Type, feedback.Format, feedback.SenderSsrc, feedback.MediaSsrc);
            GenericNack.Is(feedback);
            GenericNack.Expand(feedback, lost);
            GenericNack.Expand(feedback, lost[..Math.Min(lost.Length, 5)]);
            PictureLossIndication.Is(feedback);
            FullIntraRequest.Is(feedback);
            for (int i = 0; i < FullIntraRequest.EntryCount(feedback); i++) FullIntraRequest.Entry(feedback, i);
            if (ReceiverEstimatedMaxBitrate.TryRead(feedback, out _, out int count))
                for (int i = 0; i < count; i++) ReceiverEstimatedMaxBitrate.Ssrc(feedback, i);
            TransportFeedback.Is(feedback);
            if (TransportFeedback.TryRead(feedback, out var transportFeedback))
            {
                _ = (transportFeedback.BaseSequenceNumber, transportFeedback.ReferenceTimeInMicroseconds, transportFeedback.FeedbackPacketCount);
                int statuses = 0;
                foreach (var status in transportFeedback)
                {
                    _ = (status.Received, status.HasReceiveDelta, status.ArrivalMicroseconds);
                    statuses++;
                }
                FuzzInvariantException.Check(statuses == transportFeedback.PacketStatusCount, "transport feedback status count");
            }
        }
    }
}
