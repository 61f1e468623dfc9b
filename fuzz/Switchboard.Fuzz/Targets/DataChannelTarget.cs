using Switchboard.Media.Sfu.Data;
using Switchboard.Protocols.DataChannels;

namespace Switchboard.Fuzz;

/// <summary>
/// What a participant's data channels carry above SCTP: a DCEP message (DATA_CHANNEL_OPEN read, written back and read
/// again to the same channel) and a data bus frame (read, and written back to exactly the bytes it was read from).
/// </summary>
public static class DataChannelTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        DcepMessage.IsAck(data);
        if (DcepMessage.TryReadOpen(data, out var open))
        {
            byte[] again = DcepMessage.WriteOpen(open.Label, open.Protocol, open.Reliability, open.Priority);
            FuzzInvariantException.Check(DcepMessage.TryReadOpen(again, out var reread) && reread == open, "DATA_CHANNEL_OPEN round trip");
        }
        byte[] bytes = data.ToArray();
        if (DataFrame.TryRead(bytes, out var frame, out string? problem))
        {
            FuzzInvariantException.Check(frame.HeaderLength + frame.Payload.Length == bytes.Length, "frame length");
            FuzzInvariantException.Check(frame.Write().AsSpan().SequenceEqual(bytes), "frame round trip");
        }
        else FuzzInvariantException.Check(problem is { Length: > 0 }, "a refused frame says why");
    }
}
