using System.Buffers.Binary;
using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Fuzz;

/// <summary>
/// A stream of RTP payloads through a <see cref="FrameAssembler"/>. The first byte chooses the codec (modulo 5, in
/// <see cref="FrameCodec"/> order); then records of |flags|length|payload|: flags' bit 0 is the marker, bit 1 starts a new
/// timestamp, bits 2-7 how far the sequence number moves (so records reorder, repeat and skip). Each packet is pushed
/// 10 ms after the previous one and the ready frames taken, and once more 10 s later. Nothing may throw, the packets
/// held stay within the bound (a frame whose last packet has not come yet may still be held: nothing says it is lost),
/// and every frame emitted has data.
/// </summary>
public static class DepacketizerTarget
{
    const int MaxPending = 64;

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var codec = (FrameCodec)(data[0] % 5);
        var assembler = new FrameAssembler(codec, TimeSpan.FromMilliseconds(100), MaxPending);
        var frames = new List<EncodedFrame>();
        ushort sequence = 1000;
        uint timestamp = 90_000;
        var now = TimeSpan.Zero;
        var packet = new byte[12 + 255];
        for (int offset = 1; offset + 2 <= data.Length;)
        {
            byte flags = data[offset];
            int length = Math.Min(data[offset + 1], data.Length - offset - 2);
            sequence += (ushort)((flags >> 2) - 8);
            if ((flags & 0x02) != 0) timestamp += 3000;
            packet[0] = 0x80;
            packet[1] = (byte)((flags & 0x01) != 0 ? 0xE0 : 0x60);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x1234);
            data.Slice(offset + 2, length).CopyTo(packet.AsSpan(12));
            offset += 2 + length;

            now += TimeSpan.FromMilliseconds(10);
            assembler.Push(packet.AsSpan(0, 12 + length), now);
            assembler.TakeReady(now, frames);
            assembler.TakeKeyframeRequest();
            FuzzInvariantException.Check(assembler.PendingPackets <= MaxPending, "more packets held than the bound");
        }
        assembler.TakeReady(now + TimeSpan.FromSeconds(10), frames);
        FuzzInvariantException.Check(assembler.PendingPackets <= MaxPending, "more packets held than the bound");
        foreach (var frame in frames)
            FuzzInvariantException.Check(frame.Data.Length > 0 && frame.Width >= 0 && frame.Height >= 0, "an empty or negative frame");
    }
}
