using System.Text;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Tests;

/// <summary>The client message reader and the SDP direction scanner on their own, without sockets.</summary>
public sealed class MessageReaderTests
{
    [Fact]
    public void Random_and_mutated_frames_never_throw_and_never_pass_unchecked()
    {
        var random = new Random(5);
        var valid = Encoding.UTF8.GetBytes("{\"type\":\"offer\",\"id\":\"r\",\"to\":\"p_abc\",\"sdp\":\"v=0\\r\\n\"}");
        for (int i = 0; i < 20_000; i++)
        {
            byte[] frame;
            if (i % 2 == 0)
            {
                frame = new byte[random.Next(0, 100)];
                random.NextBytes(frame);
            }
            else
            {
                frame = (byte[])valid.Clone();
                for (int m = 0; m < 3; m++) frame[random.Next(frame.Length)] = (byte)random.Next(256);
                frame = frame[..random.Next(1, frame.Length + 1)];
            }
            var read = ClientMessageReader.Read(frame);
            Assert.True(read.IsValid || read.ErrorCode is ErrorCodes.InvalidJson or ErrorCodes.InvalidMessage or ErrorCodes.UnknownType);
            if (read.Message is SessionDescriptionMessage offer) Assert.False(string.IsNullOrEmpty(offer.To));
        }
    }

    [Fact]
    public void A_valid_frame_reads_into_its_record()
    {
        var read = ClientMessageReader.Read("{\"type\":\"join\",\"id\":\"j1\",\"room\":\"a.b-c_d\",\"name\":\"Zoë\",\"state\":{\"audio\":false},\"extra\":[1]}"u8);
        var join = Assert.IsType<JoinMessage>(read.Message);
        Assert.Equal(("a.b-c_d", "Zoë", "j1"), (join.Room, join.Name, join.Id));
        Assert.False(join.State!.Value.GetProperty("audio").GetBoolean());
    }

    [Fact]
    public void A_frame_that_is_not_utf8_is_invalid_json()
    {
        // Found by fuzzing (fuzz/corpus/signaling/regression-candidate-property-name-not-utf8): the reader decoded only
        // the strings it needed, so invalid UTF-8 inside "candidate" passed and relaying the candidate threw.
        byte[] frame = [.. """{"type":"candidate","To":"p_abc","candidate":{"c":"cst","sdpM"""u8, 0xFF, 0xFF, .. "\":\"0\"}}"u8];
        var read = ClientMessageReader.Read(frame);
        Assert.False(read.IsValid);
        Assert.Equal(ErrorCodes.InvalidJson, read.ErrorCode);

        read = ClientMessageReader.Read([.. """{"type":"ping","id":"""u8, 0xC3, 0x28, .. "}"u8]);
        Assert.Equal(ErrorCodes.InvalidJson, read.ErrorCode);
    }

    [Theory]
    [InlineData("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n", true, true)]
    [InlineData("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", true, true)] // no attribute: sendrecv
    [InlineData("a=recvonly\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", false, true)] // session-level default
    [InlineData("a=recvonly\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n", true, false)] // media-level wins
    [InlineData("m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n", false, false)] // rejected section
    [InlineData("m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=bundle-only\r\na=sendonly\r\n", true, false)] // bundle-only is live
    [InlineData("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sendrecv\r\n", false, false)] // data channels
    [InlineData("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=inactive\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n", false, true)]
    public void Sdp_directions(string media, bool sends, bool receives)
    {
        var sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" + media;
        Assert.Equal((sends, receives), SdpMediaDirections.Scan(sdp));
    }
}
