using Switchboard.Media.Sfu.Data;

namespace Switchboard.Media.Tests.Sfu.Data;

public class DataFrameTests
{
    [Fact]
    public void A_frame_round_trips_its_flags_topic_participants_and_payload()
    {
        var frame = new DataFrame(DataFrameFlags.Text, "chat ✓", ["p_a", "p_b"], "héllo"u8.ToArray());
        byte[] bytes = frame.Write();

        Assert.Equal([1, 1, 8], bytes[..3]); // version, flags, the topic's UTF-8 length
        Assert.True(DataFrame.TryRead(bytes, out var read, out var problem), problem);
        Assert.Equal((DataFrameFlags.Text, "chat ✓", "héllo"), (read.Flags, read.Topic, System.Text.Encoding.UTF8.GetString(read.Payload.Span)));
        Assert.Equal(["p_a", "p_b"], read.Participants);
        Assert.Equal(bytes.Length, read.HeaderLength + read.Payload.Length);
        Assert.Equal(bytes, read.Write());
    }

    [Fact]
    public void A_frame_whose_payload_follows_is_written_without_it()
    {
        var frame = new DataFrame(DataFrameFlags.PayloadFollows, "file", [], new byte[1000]);
        byte[] bytes = frame.Write();
        Assert.Equal(frame.HeaderLength, bytes.Length);
        Assert.True(DataFrame.TryRead(bytes, out var read, out _));
        Assert.True(read.Has(DataFrameFlags.PayloadFollows));
        Assert.Equal(0, read.Payload.Length);
    }

    [Theory]
    [InlineData("", "a data frame has at least 4 bytes")]
    [InlineData("0100000", "a data frame has at least 4 bytes")]
    [InlineData("02000000", "data frame version 2 is not 1")]
    [InlineData("01f4000100007410020000", "unknown flags 0xf4")] // found by fuzzing: unknown bits, and a payload after "payload follows"
    [InlineData("01040000ff", "a frame whose payload follows carries none itself")]
    [InlineData("010005616263", "the topic runs past the frame or is not UTF-8")]
    [InlineData("010001ff00", "the topic runs past the frame or is not UTF-8")]
    [InlineData("01000161", "the participant count is missing")]
    [InlineData("01000002026869", "a participant id runs past the frame or is not UTF-8")]
    [InlineData("0100000102c328", "a participant id runs past the frame or is not UTF-8")]
    public void Malformed_frames_are_refused_with_the_reason(string hex, string reason)
    {
        byte[] bytes = Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0")[..(hex.Length / 2)];
        Assert.False(DataFrame.TryRead(bytes, out _, out var problem));
        Assert.Equal(reason, problem);
    }
}
