using System.Buffers.Binary;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Protocols.Tests.Srtp;

/// <summary>Both profiles between a sender and a receiver context: wrap of the sequence number, reordering,
/// replays, forgeries and malformed input (PITFALLS: ROC per SSRC, state moves only after authentication).</summary>
public class SrtpContextTests
{
    public static TheoryData<SrtpProfile> Profiles => [SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm];

    static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile, int maxStreams = SrtpContext.DefaultMaxStreams)
    {
        var key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var salt = Enumerable.Range(100, profile.MasterSaltLength()).Select(i => (byte)i).ToArray();
        return (new SrtpContext(profile, key, salt, maxStreams), new SrtpContext(profile, key, salt, maxStreams));
    }

    static byte[] RtpPacket(ushort sequence, uint ssrc = 0x11223344, int payload = 100, bool extension = false)
    {
        int header = extension ? 12 + 4 + 8 : 12;
        var packet = new byte[header + payload + 16];
        packet[0] = (byte)(extension ? 0x90 : 0x80);
        packet[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        if (extension)
        {
            packet[12] = 0xBE;
            packet[13] = 0xDE;
            packet[15] = 2;
        }
        for (int i = header; i < header + payload; i++) packet[i] = (byte)(i + sequence);
        return packet;
    }

    static byte[] Protect(SrtpContext sender, byte[] buffer, int length)
    {
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, length, out int protectedLength));
        return buffer[..protectedLength];
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Round_trip_restores_the_packet_and_encrypts_the_payload(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var original = RtpPacket(1000, extension: true);
        int length = original.Length - 16;
        var srtp = Protect(sender, (byte[])original.Clone(), length);

        Assert.Equal(length + profile.RtpTagLength(), srtp.Length);
        Assert.Equal(original[..24], srtp[..24]); // the header and extension stay in clear
        Assert.NotEqual(original[24..length], srtp[24..length]);
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(srtp, out int plain));
        Assert.Equal(original[..length], srtp[..plain]);
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Rollover_counter_advances_at_the_sequence_number_wrap(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        // 70,000 packets: the sequence number wraps once, and a stream that forgot its ROC would fail after the wrap.
        ushort sequence = 65_000;
        for (int i = 0; i < 70_000; i++, sequence++)
        {
            var packet = RtpPacket(sequence, payload: 20);
            var srtp = Protect(sender, packet, packet.Length - 16);
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(srtp, out _));
        }
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Packets_from_before_the_wrap_arriving_after_it_still_decrypt(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var late = new List<byte[]>();
        foreach (ushort sequence in new ushort[] { 65_533, 65_534, 65_535, 0, 1, 2 })
        {
            var packet = RtpPacket(sequence);
            var srtp = Protect(sender, packet, packet.Length - 16);
            if (sequence is 65_534 or 65_535) late.Add(srtp);
            else Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(srtp, out _));
        }
        foreach (var srtp in late) Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(srtp, out _));
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Reordered_packets_are_accepted_once_and_replays_refused(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packets = Enumerable.Range(0, 50).Select(i => { var p = RtpPacket((ushort)(500 + i)); return Protect(sender, p, p.Length - 16); }).ToList();
        var order = Enumerable.Range(0, 50).OrderBy(i => (i * 37) % 50).ToList();
        foreach (int i in order) Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp((byte[])packets[i].Clone(), out _));
        foreach (int i in order) Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp((byte[])packets[i].Clone(), out _));
    }

    [Theory, MemberData(nameof(Profiles))]
    public void A_packet_older_than_the_replay_window_is_refused(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var first = RtpPacket(1);
        var old = Protect(sender, first, first.Length - 16);
        var newer = RtpPacket((ushort)(2 + SrtpReplayWindow.Size));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, newer, newer.Length - 16), out _));
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtp(old, out _));
    }

    [Theory, MemberData(nameof(Profiles))]
    public void A_forged_packet_far_ahead_does_not_move_the_rollover_counter(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        for (ushort sequence = 40_000; sequence < 40_010; sequence++)
        {
            var packet = RtpPacket(sequence);
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, packet, packet.Length - 16), out _));
        }
        // A forged packet whose sequence number would make the receiver guess ROC+1 if its state moved before the tag check.
        var forged = RtpPacket(5_000);
        forged = forged[..(forged.Length - 16 + profile.RtpTagLength())];
        Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtp(forged, out _));

        for (ushort sequence = 40_010; sequence < 40_020; sequence++)
        {
            var packet = RtpPacket(sequence);
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, packet, packet.Length - 16), out _));
        }
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Each_ssrc_keeps_its_own_rollover_counter(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        // SSRC A wraps; SSRC B stays before the wrap: a shared ROC would break B.
        for (int i = 0; i < 20; i++)
        {
            var a = RtpPacket((ushort)(65_530 + i), ssrc: 0xA);
            var b = RtpPacket((ushort)(30_000 + i), ssrc: 0xB);
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, a, a.Length - 16), out _));
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtp(Protect(sender, b, b.Length - 16), out _));
        }
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Srtcp_round_trip_starts_at_index_zero_and_refuses_replays(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var rtcp = Convert.FromHexString("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef");
        for (int i = 0; i < 3; i++)
        {
            var buffer = new byte[rtcp.Length + profile.RtcpOverhead()];
            rtcp.CopyTo(buffer, 0);
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, rtcp.Length, out int length));
            Assert.Equal(rtcp.Length + profile.RtcpOverhead(), length);
            var trailer = profile == SrtpProfile.AeadAes128Gcm ? length - 4 : length - 14;
            Assert.Equal(0x8000_0000u | (uint)i, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(trailer)));

            var copy = (byte[])buffer.Clone();
            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(buffer, out int plain));
            Assert.Equal(rtcp, buffer[..plain]);
            Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtcp(copy, out _));
        }
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Forged_srtcp_fails_authentication(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var buffer = new byte[200];
        var rtcp = Convert.FromHexString("81c90007aabbccdd0000000100000000000000000000000000000000");
        rtcp.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, rtcp.Length, out int length));
        buffer[10] ^= 0x80;
        Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtcp(buffer.AsSpan(0, length), out _));
        Assert.Equal(0, receiver.StreamCount);
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Malformed_and_random_input_is_rejected_without_exceptions(SrtpProfile profile)
    {
        var (_, receiver) = Pair(profile);
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            var junk = new byte[random.Next(0, 200)];
            random.NextBytes(junk);
            if (junk.Length > 0 && i % 2 == 0) junk[0] = (byte)(0x80 | (junk[0] & 0x3F)); // version 2 half the time
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtp((byte[])junk.Clone(), out _));
            Assert.NotEqual(SrtpResult.Ok, receiver.UnprotectRtcp(junk, out _));
        }
        Assert.Equal(0, receiver.StreamCount);

        // An extension header whose length runs past the packet.
        var packet = RtpPacket(1, extension: true);
        packet[15] = 200;
        Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(packet, out _));
        Assert.Equal(SrtpResult.Malformed, receiver.ProtectRtp(packet, packet.Length - 16, out _));
        Assert.Equal(SrtpResult.Malformed, receiver.ProtectRtp(new byte[20], 30, out _));
        Assert.Equal(SrtpResult.Malformed, receiver.ProtectRtp(new byte[20], -1, out _));
        Assert.Equal(SrtpResult.Malformed, receiver.ProtectRtcp(new byte[20], 12, out _));
    }

    [Theory, MemberData(nameof(Profiles))]
    public void New_ssrcs_beyond_the_limit_are_refused(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile, maxStreams: 2);
        var (bigSender, _) = Pair(profile);
        for (uint ssrc = 1; ssrc <= 3; ssrc++)
        {
            var packet = RtpPacket(1, ssrc);
            var srtp = Protect(bigSender, packet, packet.Length - 16);
            Assert.Equal(ssrc <= 2 ? SrtpResult.Ok : SrtpResult.TooManyStreams, receiver.UnprotectRtp(srtp, out _));
        }
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(RtpPacket(1, 9), 112, out _));
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(RtpPacket(1, 10), 112, out _));
        Assert.Equal(SrtpResult.TooManyStreams, sender.ProtectRtp(RtpPacket(1, 11), 112, out _));
    }

    [Theory, MemberData(nameof(Profiles))]
    public void Protect_and_unprotect_allocate_nothing_per_packet(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packet = RtpPacket(1, payload: 1200);
        var buffer = new byte[packet.Length];
        void Once(ushort sequence)
        {
            packet.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), sequence);
            sender.ProtectRtp(buffer, packet.Length - 16, out int length);
            receiver.UnprotectRtp(buffer.AsSpan(0, length), out _);
        }
        Once(1); // the first packet of an SSRC makes its state
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort sequence = 2; sequence < 1002; sequence++) Once(sequence);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
