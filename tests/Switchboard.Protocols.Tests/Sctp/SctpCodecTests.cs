using System.Buffers.Binary;
using System.Text;
using Switchboard.Protocols.Sctp;
using static Switchboard.Protocols.Tests.Sctp.Simulation.SctpTestPackets;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>The packet codec: CRC32c, the common header, chunks and parameters, each chunk type written and read back.</summary>
public class SctpCodecTests
{
    [Theory]
    [InlineData("313233343536373839", 0xE3069283u)] // "123456789", the CRC-32C check value
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", 0x8A9136AAu)] // RFC 3720 B.4: 32 bytes of zeros
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 0x62A8AB43u)] // 32 bytes of ones
    [InlineData("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 0x46DD794Eu)] // incrementing
    [InlineData("1F1E1D1C1B1A191817161514131211100F0E0D0C0B0A09080706050403020100", 0x113FDB5Cu)] // decrementing
    public void Crc32c_matches_the_known_vectors(string hex, uint expected) =>
        Assert.Equal(expected, Crc32c.Compute(Convert.FromHexString(hex)));

    [Fact]
    public void The_checksum_is_stored_least_significant_byte_first_over_a_zeroed_field()
    {
        var packet = Build(0x01020304, ((byte)SctpChunkType.CookieAck, 0, []));
        var zeroed = packet.ToArray();
        zeroed.AsSpan(8, 4).Clear();
        Assert.Equal(Crc32c.Compute(zeroed), BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8)));
        Assert.True(Crc32c.IsValid(packet));
        packet[^1] ^= 1;
        Assert.False(SctpPacket.TryParse(packet, out _));
        Assert.False(SctpPacket.TryParse(new byte[11], out _));
    }

    [Fact]
    public void Chunks_are_padded_and_the_last_may_omit_its_padding()
    {
        var packet = Build(7, ((byte)SctpChunkType.Heartbeat, 0, [1, 2, 3, 4, 5]), ((byte)SctpChunkType.CookieAck, 0, []));
        Assert.Equal(12 + 12 + 4, packet.Length);
        Assert.True(SctpPacket.TryParse(packet, out var parsed));
        Assert.Equal(5000, parsed.SourcePort);
        Assert.Equal(5000, parsed.DestinationPort);
        Assert.Equal(7u, parsed.VerificationTag);
        Assert.Equal([SctpChunkType.Heartbeat, SctpChunkType.CookieAck], ChunkTypes(packet));

        var unpadded = Restamp(Build(7, ((byte)SctpChunkType.Heartbeat, 0, [1, 2, 3, 4, 5]))[..^3]);
        Assert.Equal([SctpChunkType.Heartbeat], ChunkTypes(unpadded));
    }

    [Theory]
    [InlineData("0100")] // shorter than a chunk header
    [InlineData("0b000003")] // length below the header
    [InlineData("0b000010")] // length past the end
    public void A_malformed_chunk_ends_the_iteration(string chunks)
    {
        var enumerator = new SctpChunkEnumerator(Convert.FromHexString(chunks));
        Assert.False(enumerator.MoveNext());
        Assert.True(enumerator.Malformed);
    }

    [Fact]
    public void Data_round_trips()
    {
        var buffer = new byte[100];
        var writer = new SctpPacketWriter(buffer, 1, 2, 3);
        DataChunk.Write(ref writer, 0xFFFFFFFE, 513, 65535, 51, "abc"u8, unordered: true, beginning: true, end: false);
        var packet = writer.Finish().ToArray();
        Assert.True(SctpPacket.TryParse(packet, out var parsed));
        var chunks = parsed.Chunks;
        Assert.True(chunks.MoveNext());
        Assert.True(DataChunk.TryRead(chunks.Current, out var data));
        Assert.Equal((0xFFFFFFFEu, (ushort)513, (ushort)65535, 51u), (data.Tsn, data.StreamId, data.StreamSequenceNumber, data.PayloadProtocolId));
        Assert.Equal("abc"u8.ToArray(), data.UserData.ToArray());
        Assert.True(data.Unordered && data.Beginning && !data.End);
        Assert.Equal(SctpPacket.HeaderLength + 20, packet.Length);
    }

    [Fact]
    public void Init_round_trips_with_the_extensions_webrtc_needs()
    {
        var buffer = new byte[200];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, 0);
        InitChunk.Write(ref writer, SctpChunkType.InitAck, 0xA1B2C3D4, 131072, 1024, 2048, 77, [9, 8, 7], []);
        Assert.True(SctpPacket.TryParse(writer.Finish(), out var parsed));
        var chunks = parsed.Chunks;
        chunks.MoveNext();
        Assert.True(InitChunk.TryRead(chunks.Current, out var init));
        Assert.Equal((0xA1B2C3D4u, 131072u, (ushort)1024, (ushort)2048, 77u),
            (init.InitiateTag, init.AdvertisedReceiveWindow, init.OutboundStreams, init.InboundStreams, init.InitialTsn));
        var parameters = new List<string>();
        foreach (var parameter in init.Parameters) parameters.Add($"{parameter.Type}:{Convert.ToHexString(parameter.Value)}");
        Assert.Equal(["StateCookie:090807", "SupportedExtensions:C082", "ForwardTsnSupported:"], parameters);
    }

    [Fact]
    public void Sack_round_trips_and_refuses_counts_past_its_end()
    {
        var buffer = new byte[100];
        var writer = new SctpPacketWriter(buffer, 1, 2, 3);
        SackChunk.Write(ref writer, 1000, 65536, [2, 3, 5, 9], [998, 999]);
        Assert.True(SctpPacket.TryParse(writer.Finish(), out var parsed));
        var chunks = parsed.Chunks;
        chunks.MoveNext();
        Assert.True(SackChunk.TryRead(chunks.Current, out var sack));
        Assert.Equal((1000u, 65536u, 2, 2), (sack.CumulativeTsnAck, sack.AdvertisedReceiveWindow, sack.GapBlockCount, sack.DuplicateCount));
        Assert.Equal(((ushort)2, (ushort)3), sack.GapBlock(0));
        Assert.Equal(((ushort)5, (ushort)9), sack.GapBlock(1));
        Assert.Equal(999u, sack.DuplicateTsn(1));

        var truncated = Build(3, ((byte)SctpChunkType.Sack, 0, Convert.FromHexString("000003E8" + "00010000" + "0003" + "0000" + "00020003")));
        Assert.True(SctpPacket.TryParse(truncated, out parsed));
        chunks = parsed.Chunks;
        chunks.MoveNext();
        Assert.False(SackChunk.TryRead(chunks.Current, out _));
    }

    [Fact]
    public void Forward_tsn_round_trips()
    {
        var buffer = new byte[100];
        var writer = new SctpPacketWriter(buffer, 1, 2, 3);
        ForwardTsnChunk.Write(ref writer, 4242, [(1, 10), (7, 65535)]);
        Assert.True(SctpPacket.TryParse(writer.Finish(), out var parsed));
        var chunks = parsed.Chunks;
        chunks.MoveNext();
        Assert.True(ForwardTsnChunk.TryRead(chunks.Current, out var forward));
        Assert.Equal(4242u, forward.NewCumulativeTsn);
        Assert.Equal(2, forward.StreamCount);
        Assert.Equal(((ushort)7, (ushort)65535), forward.Stream(1));
    }

    [Fact]
    public void Reconfig_parameters_round_trip()
    {
        var value = new byte[OutgoingSsnResetRequest.Size(3) + ReconfigurationResponse.Size];
        int length = OutgoingSsnResetRequest.Write(value, 11, 22, 33, [1, 2, 1000]);
        Assert.Equal(24, length); // 16 + 6 bytes of streams, padded
        ReconfigurationResponse.Write(value.AsSpan(length), 44, ReconfigurationResult.InProgress);
        var parameters = new SctpParameterEnumerator(value);
        Assert.True(parameters.MoveNext());
        Assert.True(OutgoingSsnResetRequest.TryRead(parameters.Current, out var request));
        Assert.Equal((11u, 22u, 33u, 3), (request.RequestSequenceNumber, request.ResponseSequenceNumber, request.SendersLastAssignedTsn, request.StreamCount));
        Assert.Equal(1000, request.Stream(2));
        Assert.True(parameters.MoveNext());
        Assert.True(ReconfigurationResponse.TryRead(parameters.Current, out var response));
        Assert.Equal((44u, ReconfigurationResult.InProgress), (response.ResponseSequenceNumber, response.Result));
        Assert.False(parameters.MoveNext());
        Assert.False(parameters.Malformed);
    }

    [Fact]
    public void Heartbeat_info_round_trips()
    {
        var value = new byte[HeartbeatInfo.ValueLength];
        HeartbeatInfo.Write(value, 123_456_789_012, 0xCAFE);
        Assert.True(HeartbeatInfo.TryRead(value, out long sentAt, out uint nonce));
        Assert.Equal((123_456_789_012L, 0xCAFEu), (sentAt, nonce));
        Assert.False(HeartbeatInfo.TryRead(value[..10], out _, out _));
    }

    [Fact]
    public void State_cookie_round_trips_and_refuses_changes_and_other_secrets()
    {
        var secret = Encoding.ASCII.GetBytes("a secret of thirty-two bytes....");
        var cookie = new StateCookie(1234, 1, 2, 3, 4, 5, 6, 7, PeerSupportsForwardTsn: true, PeerSupportsReconfig: false);
        var bytes = new byte[StateCookie.Length];
        cookie.Write(bytes, secret);
        Assert.True(StateCookie.TryRead(bytes, secret, out var read));
        Assert.Equal(cookie, read);
        Assert.False(StateCookie.TryRead(bytes, "another secret"u8, out _));
        for (int i = 0; i < bytes.Length; i++)
        {
            var changed = bytes.ToArray();
            changed[i] ^= 0x10;
            Assert.False(StateCookie.TryRead(changed, secret, out _));
        }
        Assert.False(StateCookie.TryRead(bytes[..^1], secret, out _));
    }

    [Fact]
    public void Error_causes_are_described_for_the_closing_reason()
    {
        var causes = new byte[64];
        int length = SctpErrorCause.Write(causes, SctpErrorCauseCode.UserInitiatedAbort, "bye\u0001"u8);
        length += SctpErrorCause.Write(causes.AsSpan(length), (SctpErrorCauseCode)999, []);
        Assert.Equal("UserInitiatedAbort: bye; cause 999", SctpErrorCause.Describe(causes.AsSpan(0, length)));
        Assert.Equal("no cause given", SctpErrorCause.Describe([]));
    }

    [Fact]
    public void Serial_number_arithmetic_wraps()
    {
        Assert.True(SerialNumber.Lt(0xFFFFFFFFu, 0u));
        Assert.True(SerialNumber.Gt(5u, 0xFFFFFFF0u));
        Assert.True(SerialNumber.Lt((ushort)65535, (ushort)0));
        Assert.True(SerialNumber.Le((ushort)3, (ushort)3));
    }

    [Fact]
    public void Received_tsns_make_gap_blocks_relative_to_the_cumulative_tsn()
    {
        var tsns = new ReceivedTsns(maxOutOfOrder: 100);
        tsns.Start(0xFFFFFFFE); // cumulative TSN 0xFFFFFFFD, across the wrap
        foreach (uint tsn in new uint[] { 0xFFFFFFFE, 1, 2, 4, 3, 7 }) tsns.Add(tsn);
        Assert.Equal(0xFFFFFFFEu, tsns.CumulativeTsn);
        var blocks = new ushort[8];
        Assert.Equal(4, tsns.WriteGapBlocks(blocks));
        Assert.Equal(new ushort[] { 3, 6, 9, 9 }, blocks[..4]);
        Assert.True(tsns.Contains(3) && !tsns.Contains(5) && tsns.Contains(0xFFFFFFF0));
        tsns.Add(0xFFFFFFFF);
        tsns.Add(0);
        Assert.Equal(4u, tsns.CumulativeTsn);
        tsns.ForwardTo(5);
        Assert.Equal(5u, tsns.CumulativeTsn);
        Assert.Equal(1, tsns.OutOfOrderCount);
        Assert.True(tsns.CanTrack(6));
        Assert.False(tsns.CanTrack(5 + ReceivedTsns.MaxTsnDistance + 1));
    }
}
