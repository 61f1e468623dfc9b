using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Tests.Rtcp;

public class RtcpTests
{
    static byte[] Compound()
    {
        var buffer = new byte[400];
        int offset = new SenderReport(0x1111, 0xE1A2B3C4_D5E6F708, 90_000, 100, 120_000,
            [new ReportBlock(0x2222, 25, -3, 70_000, 12, 0xA2B3C4D5, 6553)]).Write(buffer);
        offset += SourceDescription.WriteCname(buffer.AsSpan(offset), 0x1111, "user@host");
        offset += ReceiverEstimatedMaxBitrate.Write(buffer.AsSpan(offset), 0x1111, 1_500_000, [0x2222, 0x3333]);
        return buffer[..offset];
    }

    [Fact]
    public void ReportPacket_reads_an_sr_and_an_rr_in_place_as_the_records_wrote_them()
    {
        var blockA = new ReportBlock(0xA1, 12, 345, 0x0001_0203, 77, 0xDEAD_BEEF, 65536);
        var blockB = new ReportBlock(0xB2, 0, -3, 9, 0, 0, 0);
        var buffer = new byte[200];
        int length = new SenderReport(0x55, 0xE800_0000_1234_5678, 90_000, 1_000, 1_200_000, [blockA, blockB]).Write(buffer);
        length += new ReceiverReport(0x66, [blockB]).Write(buffer.AsSpan(length));

        var read = new List<(bool Sr, uint Ssrc, ulong Ntp, uint Rtp, uint Packets, uint Octets, ReportBlock[] Blocks)>();
        foreach (var packet in new RtcpCompound(buffer.AsSpan(0, length)))
        {
            Assert.True(ReportPacket.TryRead(packet, out var report));
            read.Add((report.IsSenderReport, report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, report.PacketCount, report.OctetCount, report.Blocks()));
        }

        Assert.Equal(2, read.Count);
        Assert.Equal((true, 0x55u, 0xE800_0000_1234_5678ul, 90_000u, 1_000u, 1_200_000u), (read[0].Sr, read[0].Ssrc, read[0].Ntp, read[0].Rtp, read[0].Packets, read[0].Octets));
        Assert.Equal([blockA, blockB], read[0].Blocks);
        Assert.Equal((false, 0x66u), (read[1].Sr, read[1].Ssrc));
        Assert.Equal([blockB], read[1].Blocks);
    }

    [Fact]
    public void ReportPacket_refuses_reports_shorter_than_their_count_and_other_types()
    {
        var buffer = new byte[100];
        int length = new SenderReport(1, 2, 3, 4, 5, [new ReportBlock(1, 0, 0, 0, 0, 0, 0)]).Write(buffer);
        buffer[0] = (byte)((buffer[0] & 0xE0) | 2); // claims two blocks, carries one
        foreach (var packet in new RtcpCompound(buffer.AsSpan(0, length))) Assert.False(ReportPacket.TryRead(packet, out _));
        length = PictureLossIndication.Write(buffer, 1, 2);
        foreach (var packet in new RtcpCompound(buffer.AsSpan(0, length))) Assert.False(ReportPacket.TryRead(packet, out _));
    }

    [Fact]
    public void A_compound_of_sender_report_sdes_and_remb_reads_back()
    {
        var compound = Compound();
        Assert.True(new RtcpCompound(compound).IsWellFormed());
        var types = new List<RtcpPacketType>();
        foreach (var packet in new RtcpCompound(compound))
        {
            types.Add(packet.Type);
            switch (packet.Type)
            {
                case RtcpPacketType.SenderReport:
                    Assert.True(SenderReport.TryRead(packet, out var sr));
                    Assert.Equal((0x1111u, 0xE1A2B3C4_D5E6F708UL, 90_000u, 100u, 120_000u), (sr.Ssrc, sr.NtpTimestamp, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount));
                    Assert.Equal(new ReportBlock(0x2222, 25, -3, 70_000, 12, 0xA2B3C4D5, 6553), Assert.Single(sr.Reports));
                    break;
                case RtcpPacketType.SourceDescription:
                    Assert.True(SourceDescription.TryReadCname(packet, out var ssrc, out var cname));
                    Assert.Equal((0x1111u, "user@host"), (ssrc, cname));
                    break;
                case RtcpPacketType.PayloadFeedback:
                    Assert.True(FeedbackPacket.TryRead(packet, out var feedback));
                    Assert.True(ReceiverEstimatedMaxBitrate.TryRead(feedback, out var bitrate, out var count));
                    Assert.InRange(bitrate, 1_499_000UL, 1_500_000UL); // 18-bit mantissa: exact to 1/2^18
                    Assert.Equal(2, count);
                    Assert.Equal(0x3333u, ReceiverEstimatedMaxBitrate.Ssrc(feedback, 1));
                    break;
            }
        }
        Assert.Equal([RtcpPacketType.SenderReport, RtcpPacketType.SourceDescription, RtcpPacketType.PayloadFeedback], types);
    }

    [Fact]
    public void Nack_packs_and_expands_lost_packets_across_the_wrap()
    {
        ushort[] lost = [65_534, 65_535, 0, 1, 14, 40];
        var buffer = new byte[100];
        int length = GenericNack.Write(buffer, 0xA, 0xB, lost);
        Assert.Equal(4 + 8 + 8, length); // two (PID, BLP) pairs: 65534 covers up to 14 (16 after it), then 40
        Span<ushort> expanded = stackalloc ushort[34];
        foreach (var packet in new RtcpCompound(buffer.AsSpan(0, length)))
        {
            Assert.True(FeedbackPacket.TryRead(packet, out var feedback));
            Assert.True(GenericNack.Is(feedback));
            Assert.Equal((0xAu, 0xBu), (feedback.SenderSsrc, feedback.MediaSsrc));
            int count = GenericNack.Expand(feedback, expanded);
            Assert.Equal(lost, expanded[..count].ToArray());
        }
    }

    [Fact]
    public void Pli_fir_and_bye_round_trip()
    {
        var buffer = new byte[100];
        int length = PictureLossIndication.Write(buffer, 1, 2);
        length += FullIntraRequest.Write(buffer.AsSpan(length), 1, 3, 7);
        length += Goodbye.Write(buffer.AsSpan(length), [4, 5], "bye now");
        var compound = buffer[..length];
        Assert.True(new RtcpCompound(compound).IsWellFormed());
        var e = new RtcpCompound(compound).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.True(FeedbackPacket.TryRead(e.Current, out var pli));
        Assert.True(PictureLossIndication.Is(pli));
        Assert.Equal(2u, pli.MediaSsrc);
        Assert.True(e.MoveNext());
        Assert.True(FeedbackPacket.TryRead(e.Current, out var fir));
        Assert.True(FullIntraRequest.Is(fir));
        Assert.Equal((3u, (byte)7), FullIntraRequest.Entry(fir, 0));
        Assert.True(e.MoveNext());
        Span<uint> ssrcs = stackalloc uint[31];
        Assert.True(Goodbye.TryRead(e.Current, ssrcs, out var count, out var reason));
        Assert.Equal([4u, 5u], ssrcs[..count].ToArray());
        Assert.Equal("bye now", reason);
        Assert.False(e.MoveNext());
    }

    [Theory]
    [InlineData("81C80006000011110000")] // SR announcing more than there is
    [InlineData("80C8FFFF00001111")] // length word past the datagram
    [InlineData("40C9000100001111")] // version 1
    [InlineData("A0C900010000111100")] // padding bit, padding count 0 (and a stray byte)
    public void Malformed_compounds_are_not_well_formed(string hex)
    {
        Assert.False(new RtcpCompound(Convert.FromHexString(hex)).IsWellFormed());
    }

    [Fact]
    public void Counts_that_promise_more_than_the_body_holds_are_refused()
    {
        var sr = Compound()[..28]; // the SR without its report block, its count still 1
        sr[3] = 5; // length word: 6 words -> 24 bytes + header
        foreach (var packet in new RtcpCompound(sr)) Assert.False(SenderReport.TryRead(packet, out _));

        var sdes = Convert.FromHexString("81CA000300001111" + "01FF7573"); // CNAME item claiming 255 bytes
        foreach (var packet in new RtcpCompound(sdes)) Assert.False(SourceDescription.TryReadCname(packet, out _, out _));

        var remb = Convert.FromHexString("8FCE000500001111000000005245 4D42FF000001".Replace(" ", "")); // 255 SSRCs announced, none present
        foreach (var packet in new RtcpCompound(remb))
            Assert.False(FeedbackPacket.TryRead(packet, out var feedback) && ReceiverEstimatedMaxBitrate.TryRead(feedback, out _, out _));
    }

    [Fact]
    public void Random_datagrams_never_throw()
    {
        var random = new Random(9);
        Span<ushort> lost = stackalloc ushort[1024];
        Span<uint> ssrcs = stackalloc uint[31];
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            if (bytes.Length > 0) bytes[0] = (byte)(0x80 | (bytes[0] & 0x3F));
            if (bytes.Length > 1) bytes[1] = (byte)(200 + random.Next(7));
            foreach (var packet in new RtcpCompound(bytes))
            {
                SenderReport.TryRead(packet, out _);
                ReceiverReport.TryRead(packet, out _);
                SourceDescription.TryReadCname(packet, out _, out _);
                Goodbye.TryRead(packet, ssrcs, out _, out _);
                if (FeedbackPacket.TryRead(packet, out var feedback))
                {
                    GenericNack.Expand(feedback, lost);
                    ReceiverEstimatedMaxBitrate.TryRead(feedback, out _, out _);
                    if (FullIntraRequest.Is(feedback) && FullIntraRequest.EntryCount(feedback) > 0) FullIntraRequest.Entry(feedback, 0);
                }
            }
        }
    }

    [Fact]
    public void Iterating_a_compound_and_reading_feedback_allocates_nothing()
    {
        var compound = Compound();
        static int Work(byte[] compound)
        {
            int n = 0;
            foreach (var packet in new RtcpCompound(compound))
                if (FeedbackPacket.TryRead(packet, out var feedback) && ReceiverEstimatedMaxBitrate.TryRead(feedback, out var bps, out _)) n += (int)(bps & 1);
            return n;
        }
        Work(compound);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Work(compound);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
