using System.Text;

namespace Switchboard.Media.Sfu.Data;

/// <summary>What a data bus frame says beyond its payload.</summary>
[Flags]
public enum DataFrameFlags : byte
{
    None = 0,

    /// <summary>The payload is UTF-8 text.</summary>
    Text = 1,

    /// <summary>From a participant: for server code only, no participant gets it.</summary>
    ServerOnly = 2,

    /// <summary>The payload is the next message on the same (reliable, ordered) channel: frame and payload together would pass the channel's largest message.</summary>
    PayloadFollows = 4,

    /// <summary>From the server: a notice about the participant's own sending (the topic is its code, the payload a sentence).</summary>
    Notice = 8,
}

/// <summary>
/// One message of a room's data bus inside a data channel message (docs/media.md, "Data channels"): a version byte
/// (1), flags, the topic (u8 length, UTF-8), participant ids (u8 count, each u8 length and UTF-8; from a participant
/// its recipients, none for everyone; from the server the sender, none for server code), then the payload.
/// </summary>
public readonly record struct DataFrame(DataFrameFlags Flags, string Topic, IReadOnlyList<string> Participants, ReadOnlyMemory<byte> Payload)
{
    public const byte Version = 1;

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    private const DataFrameFlags KnownFlags = DataFrameFlags.Text | DataFrameFlags.ServerOnly | DataFrameFlags.PayloadFollows | DataFrameFlags.Notice;

    public bool Has(DataFrameFlags flag) => (Flags & flag) == flag;

    /// <summary>Reads a frame; <paramref name="problem"/> says what is wrong with one that cannot be read.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> message, out DataFrame frame, out string? problem)
    {
        frame = default;
        ReadOnlySpan<byte> span = message.Span;
        problem = span.Length < 4 ? "a data frame has at least 4 bytes"
            : span[0] != Version ? $"data frame version {span[0]} is not {Version}"
            : null;
        if (problem is not null) return false;
        var flags = (DataFrameFlags)span[1];
        if ((flags & ~KnownFlags) != 0) { problem = $"unknown flags 0x{span[1]:x2}"; return false; }
        int offset = 2;
        if (!TryReadString(span, ref offset, out string topic)) { problem = "the topic runs past the frame or is not UTF-8"; return false; }
        if (offset >= span.Length) { problem = "the participant count is missing"; return false; }
        int count = span[offset++];
        var participants = new string[count];
        for (int i = 0; i < count; i++)
            if (!TryReadString(span, ref offset, out participants[i])) { problem = "a participant id runs past the frame or is not UTF-8"; return false; }
        if ((flags & DataFrameFlags.PayloadFollows) != 0 && offset != span.Length) { problem = "a frame whose payload follows carries none itself"; return false; }
        frame = new DataFrame(flags, topic, participants, message[offset..]);
        return true;
    }

    private static bool TryReadString(ReadOnlySpan<byte> span, ref int offset, out string value)
    {
        value = "";
        if (offset >= span.Length || offset + 1 + span[offset] > span.Length) return false;
        int length = span[offset];
        try { value = Strict.GetString(span.Slice(offset + 1, length)); }
        catch (DecoderFallbackException) { return false; }
        offset += 1 + length;
        return true;
    }

    /// <summary>The frame's bytes before its payload.</summary>
    public int HeaderLength => 3 + Encoding.UTF8.GetByteCount(Topic) + 1 + Participants.Sum(p => 1 + Encoding.UTF8.GetByteCount(p));

    /// <summary>Writes the frame, with its payload unless <see cref="DataFrameFlags.PayloadFollows"/> is set.</summary>
    public byte[] Write()
    {
        bool withPayload = !Has(DataFrameFlags.PayloadFollows);
        var bytes = new byte[HeaderLength + (withPayload ? Payload.Length : 0)];
        bytes[0] = Version;
        bytes[1] = (byte)Flags;
        int offset = 2;
        WriteString(bytes, ref offset, Topic);
        bytes[offset++] = (byte)Participants.Count;
        foreach (string participant in Participants) WriteString(bytes, ref offset, participant);
        if (withPayload) Payload.Span.CopyTo(bytes.AsSpan(offset));
        return bytes;
    }

    private static void WriteString(byte[] bytes, ref int offset, string value)
    {
        int length = Encoding.UTF8.GetBytes(value, bytes.AsSpan(offset + 1));
        bytes[offset] = (byte)length;
        offset += 1 + length;
    }
}
