using Switchboard.Media.Tests.Session;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Support;

/// <summary>What a test endpoint received, read as tests need it, and waiting for it.</summary>
internal static class ReceivedPackets
{
    /// <summary>Every RTCP packet that passed SRTCP, each compound split into its packets.</summary>
    public static List<byte[]> Rtcp(MediaEndpoint endpoint)
    {
        var packets = new List<byte[]>();
        foreach (var received in endpoint.ReceivedRtcp.Where(r => r.Result == SrtpResult.Ok))
        {
            int offset = 0;
            foreach (RtcpPacket packet in new RtcpCompound(received.Packet))
            {
                int length = RtcpPacket.HeaderLength + packet.Body.Length;
                packets.Add(received.Packet[offset..(offset + length)]);
                offset += length;
            }
        }
        return packets;
    }

    public static bool IsPli(byte[] rtcp) => rtcp[1] == (byte)RtcpPacketType.PayloadFeedback && (rtcp[0] & 0x1F) == PictureLossIndication.Format;

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="state"/> when cancelled first.</summary>
    public static async Task Until(Func<bool> condition, CancellationToken cancel, Func<string>? state = null)
    {
        while (!condition())
        {
            if (cancel.IsCancellationRequested) Assert.Fail($"condition not met in time: {state?.Invoke()}");
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
