using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Tests.Rtcp;

public class TransportFeedbackTests
{
    // The four example chunks of draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3 and §3.1.4, in one feedback.
    static readonly byte[] DraftExamples = Convert.FromHexString(
        "8FCD0009" + "0000000A" + "0000000B" // V=2, FMT=15, PT=205, length 9; sender SSRC; media SSRC
        + "FFDC" + "010A" // base sequence number 65500, packet status count 266
        + "FFFFFE" + "07" // reference time -2 (x 64 ms), feedback packet count 7
        + "00DD" // §3.1.3 example 1: run of 221 "packet not received"
        + "6018" // §3.1.3 example 2: run of 24 "packet received, w/o recv delta"
        + "9F1C" // §3.1.4 example 1: 1-bit symbols 0 11111 000 111 00
        + "CD50" // §3.1.4 example 2: 2-bit symbols 00 11 01 01 01 00 00
        + "0102030405060708" + "0A141E" // 8 + 3 small receive deltas, in 250 us units
        + "00"); // zero padding

    static RtcpPacket Packet(byte[] body) => new(RtcpPacketType.TransportFeedback, TransportFeedback.Format, body);

    static bool TryRead(ReadOnlySpan<byte> datagram, out TransportFeedback transportFeedback)
    {
        transportFeedback = default;
        foreach (var packet in new RtcpCompound(datagram))
            return FeedbackPacket.TryRead(packet, out var feedback) && TransportFeedback.TryRead(feedback, out transportFeedback);
        return false;
    }

    static List<PacketStatus> Statuses(TransportFeedback transportFeedback)
    {
        var statuses = new List<PacketStatus>();
        foreach (var status in transportFeedback) statuses.Add(status);
        return statuses;
    }

    [Fact]
    public void The_drafts_chunk_examples_parse_to_their_statuses()
    {
        Assert.True(new RtcpCompound(DraftExamples).IsWellFormed());
        Assert.True(TryRead(DraftExamples, out var feedback));
        Assert.Equal((65500, 266, -2, -128_000L, (byte)7), ((int)feedback.BaseSequenceNumber, feedback.PacketStatusCount, feedback.ReferenceTime, feedback.ReferenceTimeInMicroseconds, feedback.FeedbackPacketCount));

        var expected = new List<PacketStatusSymbol>();
        void Add(int count, PacketStatusSymbol symbol) => expected.AddRange(Enumerable.Repeat(symbol, count));
        const PacketStatusSymbol no = PacketStatusSymbol.NotReceived, small = PacketStatusSymbol.ReceivedSmallDelta;
        Add(221, no);
        Add(24, PacketStatusSymbol.ReceivedWithoutDelta);
        Add(1, no); Add(5, small); Add(3, no); Add(3, small); Add(2, no);
        Add(1, no); Add(1, PacketStatusSymbol.ReceivedWithoutDelta); Add(3, small); Add(2, no);

        var statuses = Statuses(feedback);
        Assert.Equal(expected, statuses.Select(s => s.Symbol));
        Assert.Equal(Enumerable.Range(65500, 266).Select(n => (ushort)n), statuses.Select(s => s.SequenceNumber));
        Assert.Equal((ushort)65535, statuses[35].SequenceNumber);
        Assert.Equal((ushort)0, statuses[36].SequenceNumber);
        Assert.Equal(24 + 8 + 1 + 3, statuses.Count(s => s.Received));
        long[] deltas = [1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30];
        long[] arrivals = deltas.Select((_, i) => deltas[..(i + 1)].Sum() * 250).ToArray();
        Assert.Equal(arrivals, statuses.Where(s => s.HasReceiveDelta).Select(s => s.ArrivalMicroseconds));
    }

    [Fact]
    public void Every_truncation_that_cuts_into_the_receive_deltas_or_chunks_is_refused()
    {
        var body = DraftExamples[4..];
        const int unpadded = 8 + 27; // SSRCs, then the FCI up to its last receive delta
        for (int length = 0; length <= body.Length; length++)
        {
            bool read = FeedbackPacket.TryRead(Packet(body[..length]), out var feedback) && TransportFeedback.TryRead(feedback, out _);
            Assert.Equal(length >= unpadded, read);
        }
    }

    [Fact]
    public void Builder_output_truncated_anywhere_is_refused()
    {
        var builder = new TransportFeedbackBuilder();
        for (int i = 0; i < 40; i++)
            if (i % 3 != 0) builder.Record((ushort)(65_520 + i), 1_000_000 + i * 3_000 + (i % 5 == 0 ? 200_000 : 0));
        var buffer = new byte[1200];
        int length = builder.Write(buffer, 1, 2);
        Assert.True(TryRead(buffer.AsSpan(0, length), out var full));
        int deltaBytes = Statuses(full).Sum(s => s.Symbol == PacketStatusSymbol.ReceivedLargeDelta ? 2 : s.HasReceiveDelta ? 1 : 0);
        Assert.True(deltaBytes > 26, "some large receive deltas");
        var body = buffer[4..length];
        for (int cut = 1; cut <= body.Length; cut++)
        {
            bool read = FeedbackPacket.TryRead(Packet(body[..^cut]), out var feedback) && TransportFeedback.TryRead(feedback, out _);
            Assert.True(!read || cut <= 3, $"cut {cut} left a readable feedback"); // only zero padding may go
        }
    }

    [Theory]
    [InlineData("0000000A0000000B" + "0001" + "0014" + "00000001" + "000A")] // 20 statuses, the one chunk describes 10
    [InlineData("0000000A0000000B" + "0001" + "0003" + "00000001" + "D900" + "0102")] // 2-bit vector: small, large, small -> 4 bytes of receive deltas, 2 present
    [InlineData("0000000A0000000B" + "0001" + "0001" + "000000")] // FCI header cut short
    public void Counts_the_fci_cannot_back_are_refused(string hex)
    {
        Assert.True(FeedbackPacket.TryRead(Packet(Convert.FromHexString(hex)), out var feedback));
        Assert.False(TransportFeedback.TryRead(feedback, out _));
    }

    [Fact]
    public void Other_feedback_types_are_not_transport_feedback()
    {
        var body = DraftExamples[4..];
        Assert.True(FeedbackPacket.TryRead(new RtcpPacket(RtcpPacketType.TransportFeedback, GenericNack.Format, body), out var nack));
        Assert.False(TransportFeedback.TryRead(nack, out _));
        Assert.True(FeedbackPacket.TryRead(new RtcpPacket(RtcpPacketType.PayloadFeedback, TransportFeedback.Format, body), out var remb));
        Assert.False(TransportFeedback.TryRead(remb, out _));
    }

    [Fact]
    public void Builder_round_trips_losses_large_and_negative_deltas_across_the_wrap()
    {
        var builder = new TransportFeedbackBuilder();
        var recorded = new List<(ushort SequenceNumber, long Arrival)>();
        long time = 5_000_123_000;
        for (int i = 0; i < 300; i++)
        {
            ushort sequenceNumber = (ushort)(65_400 + i);
            if (i % 11 == 3 || i is >= 150 and < 190) continue; // scattered losses and a run of 40
            time += i switch { 50 => 900_000, 200 => 70_000, _ => 1_000 }; // 900 ms and 70 ms gaps: large deltas
            recorded.Add((sequenceNumber, time));
        }
        // Reordering: swap the arrival order of a few pairs so their deltas go negative.
        foreach (int i in new[] { 10, 61, 200 }) (recorded[i], recorded[i + 1]) = ((recorded[i].SequenceNumber, recorded[i + 1].Arrival), (recorded[i + 1].SequenceNumber, recorded[i].Arrival));
        var shuffled = recorded.ToArray();
        new Random(3).Shuffle(shuffled.AsSpan(0, 20));
        foreach (var (sequenceNumber, arrival) in shuffled) builder.Record(sequenceNumber, arrival);
        builder.Record(recorded[5].SequenceNumber, recorded[5].Arrival); // a duplicate is reported once

        var buffer = new byte[1500];
        Assert.Equal(0, builder.FeedbackPacketCount);
        int length = builder.Write(buffer, 0xAA, 0xBB);
        Assert.True(length > 0 && length % 4 == 0);
        Assert.Equal(0, builder.PendingCount);
        Assert.Equal(1, builder.FeedbackPacketCount);
        Assert.True(new RtcpCompound(buffer.AsSpan(0, length)).IsWellFormed());
        Assert.True(TryRead(buffer.AsSpan(0, length), out var feedback));
        Assert.Equal((ushort)65_400, feedback.BaseSequenceNumber);
        Assert.Equal(0, feedback.FeedbackPacketCount);

        var statuses = Statuses(feedback);
        Assert.Equal(300, statuses.Count);
        var arrivals = recorded.ToDictionary(r => r.SequenceNumber, r => r.Arrival);
        foreach (var status in statuses)
        {
            Assert.Equal(arrivals.ContainsKey(status.SequenceNumber), status.Received);
            if (status.Received) Assert.Equal(arrivals[status.SequenceNumber], feedback.ReferenceTimeInMicroseconds + status.ArrivalMicroseconds);
        }
        Assert.Contains(Enumerable.Range(1, statuses.Count - 1), i => statuses[i].Symbol == PacketStatusSymbol.ReceivedLargeDelta && statuses[i].ArrivalMicroseconds < statuses[i - 1].ArrivalMicroseconds);
        Assert.Contains(statuses, s => s.SequenceNumber == 0 && s.Received);

        builder.Record(100, time + 10_000);
        length = builder.Write(buffer, 0xAA, 0xBB);
        Assert.True(TryRead(buffer.AsSpan(0, length), out feedback));
        Assert.Equal(((ushort)100, 1, (byte)1), (feedback.BaseSequenceNumber, feedback.PacketStatusCount, feedback.FeedbackPacketCount));
        Assert.Equal(0, builder.Write(buffer, 0xAA, 0xBB));
    }

    [Fact]
    public void Packets_from_before_the_wrap_arriving_after_the_first_one_lead_the_feedback()
    {
        var builder = new TransportFeedbackBuilder();
        builder.Record(0, 2_000);
        builder.Record(65_535, 3_000);
        builder.Record(65_534, 3_500);
        builder.Record(1, 4_000);
        var buffer = new byte[100];
        Assert.True(TryRead(buffer.AsSpan(0, builder.Write(buffer, 1, 2)), out var feedback));
        Assert.Equal(new ushort[] { 65_534, 65_535, 0, 1 }, Statuses(feedback).Select(s => s.SequenceNumber));
        long reference = feedback.ReferenceTimeInMicroseconds;
        Assert.Equal(new long[] { 3_500, 3_000, 2_000, 4_000 }, Statuses(feedback).Select(s => reference + s.ArrivalMicroseconds));
    }

    [Fact]
    public void Sequence_numbers_that_jump_drop_what_is_pending_so_a_feedback_never_spans_more_than_4096()
    {
        var builder = new TransportFeedbackBuilder();
        builder.Record(1, 1_000);
        builder.Record(2, 2_000);
        // A sender that jumps 30,000 ahead, then 30,000 again: each jump drops what was pending.
        builder.Record(30_002, 3_000);
        builder.Record(60_002, 4_000);
        builder.Record(60_003, 5_000);
        Assert.Equal(3, builder.Dropped);
        var buffer = new byte[1500];
        Assert.True(TryRead(buffer.AsSpan(0, builder.Write(buffer, 1, 2)), out var feedback));
        Assert.Equal(2, feedback.PacketStatusCount);
        Assert.Equal(0, builder.PendingCount);

        // Within the span, a gap is reported as lost packets: 4,095 statuses at most.
        builder.Record(100, 10_000);
        builder.Record(100 + TransportFeedbackBuilder.MaxStatusSpan - 1, 11_000);
        Assert.True(TryRead(buffer.AsSpan(0, builder.Write(buffer, 1, 2)), out feedback));
        Assert.Equal(TransportFeedbackBuilder.MaxStatusSpan, feedback.PacketStatusCount);
        Assert.Equal(3, builder.Dropped);
    }

    [Fact]
    public void The_same_packet_recorded_over_and_over_is_kept_at_most_8192_times()
    {
        var builder = new TransportFeedbackBuilder();
        for (int i = 0; i < 100_000; i++) builder.Record(7, i);
        Assert.Equal(2 * TransportFeedbackBuilder.MaxStatusSpan, builder.PendingCount);
        Assert.Equal(100_000 - 2 * TransportFeedbackBuilder.MaxStatusSpan, builder.Dropped);
        var buffer = new byte[100];
        Assert.True(TryRead(buffer.AsSpan(0, builder.Write(buffer, 1, 2)), out var feedback));
        Assert.Equal(1, feedback.PacketStatusCount);
    }

    [Fact]
    public void A_delta_beyond_16_bits_starts_a_new_feedback()
    {
        var builder = new TransportFeedbackBuilder();
        builder.Record(1, 1_000_000);
        builder.Record(2, 1_001_000);
        builder.Record(3, 1_001_000 + 8_200_000); // 8.2 s: more than a 16-bit receive delta holds
        builder.Record(4, 1_001_000 + 8_201_000);
        var buffer = new byte[100];
        var reported = new List<(ushort, long)>();
        for (int feedbackCount = 0; feedbackCount < 2; feedbackCount++)
        {
            int length = builder.Write(buffer, 1, 2);
            Assert.True(TryRead(buffer.AsSpan(0, length), out var feedback));
            Assert.Equal(2, feedback.PacketStatusCount);
            Assert.Equal(feedbackCount, feedback.FeedbackPacketCount);
            foreach (var status in feedback) reported.Add((status.SequenceNumber, feedback.ReferenceTimeInMicroseconds + status.ArrivalMicroseconds));
        }
        Assert.Equal(new (ushort, long)[] { (1, 1_000_000), (2, 1_001_000), (3, 9_201_000), (4, 9_202_000) }, reported);
        Assert.Equal(0, builder.PendingCount);
    }

    [Fact]
    public void Runs_of_seven_or_more_become_run_length_chunks()
    {
        var builder = new TransportFeedbackBuilder();
        for (int i = 0; i < 50; i++) builder.Record((ushort)i, 64_000 + i * 1_000);
        builder.Record(1_000, 64_000 + 60_000);
        var buffer = new byte[200];
        int length = builder.Write(buffer, 1, 2);
        // Chunks: a run of 50 "received, small delta", a run of 950 "not received", a 1-bit vector; 51 one-byte deltas; 3 bytes of padding.
        Assert.Equal(12 + 8 + 3 * 2 + 51 + 3, length);
        Assert.Equal(new byte[] { 0x20, 0x32, 0x03, 0xB6, 0xA0, 0x00 }, buffer[20..26]);
        Assert.True(TryRead(buffer.AsSpan(0, length), out var feedback));
        Assert.Equal(1_001, feedback.PacketStatusCount);
    }

    [Fact]
    public void A_small_destination_takes_the_chunks_that_fit_and_leaves_the_rest_pending()
    {
        var builder = new TransportFeedbackBuilder();
        for (int i = 0; i < 100; i++) builder.Record((ushort)(i * 2), i * 1_000); // alternate losses: 2-bit or 1-bit vectors
        Assert.Equal(-1, builder.Write(new byte[23], 1, 2));
        Assert.Equal(0, builder.FeedbackPacketCount);
        var buffer = new byte[40];
        var sequenceNumbers = new List<int>();
        while (builder.PendingCount > 0)
        {
            int length = builder.Write(buffer, 1, 2);
            Assert.InRange(length, 24, 40);
            Assert.True(TryRead(buffer.AsSpan(0, length), out var feedback));
            foreach (var status in feedback)
                if (status.Received) sequenceNumbers.Add(status.SequenceNumber);
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2), sequenceNumbers);
    }

    [Fact]
    public void Random_fcis_never_throw()
    {
        var random = new Random(15);
        for (int i = 0; i < 10_000; i++)
        {
            var body = new byte[8 + random.Next(0, 80)];
            random.NextBytes(body);
            if (body.Length >= 12 && random.Next(2) == 0) body[10] = body[11] = 0; // packet status count within reach
            if (body.Length >= 12 && random.Next(2) == 0) body[11] = (byte)random.Next(40);
            if (FeedbackPacket.TryRead(Packet(body), out var feedback) && TransportFeedback.TryRead(feedback, out var transportFeedback))
            {
                int count = 0;
                foreach (var _ in transportFeedback) count++;
                Assert.Equal(transportFeedback.PacketStatusCount, count);
            }
        }
    }

    [Fact]
    public void Recording_writing_and_reading_allocate_nothing_in_steady_state()
    {
        var builder = new TransportFeedbackBuilder();
        var buffer = new byte[1200];
        ushort sequenceNumber = 0;
        long time = 0;
        long Round()
        {
            for (int i = 0; i < 100; i++, sequenceNumber++, time += 900)
                if (i % 13 != 0) builder.Record(sequenceNumber, time);
            int length = builder.Write(buffer, 1, 2);
            long sum = 0;
            foreach (var packet in new RtcpCompound(buffer.AsSpan(0, length)))
                if (FeedbackPacket.TryRead(packet, out var feedback) && TransportFeedback.TryRead(feedback, out var transportFeedback))
                    foreach (var status in transportFeedback) sum += status.ArrivalMicroseconds;
            return sum;
        }
        // The least of three measurements: the runtime may allocate on this thread while it compiles the loop again
        // (tiered compilation), once, at a moment that depends on how busy the machine is.
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3 && least > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) Round();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}
