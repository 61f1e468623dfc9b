using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchboard.Bench;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// One synthetic browser against <c>POST /api/echo</c>: offers Opus and VP8 over a <see cref="PeerTransport"/> and sends
/// SRTP whose payload starts with the send time, so each echoed packet gives a round trip through the server. Against
/// Janus's EchoTest (<see cref="ConnectJanusAsync"/>) the roles turn round: Janus is the full ICE agent, so the peer
/// offers <c>a=ice-lite</c> with a host candidate for its own socket, answers Janus's checks and takes the DTLS role the
/// answer's <c>a=setup</c> leaves it (Janus answers <c>active</c>: the peer is the server).
/// </summary>
internal sealed class EchoPeer : IDisposable
{
    public const int AudioPayload = 100;
    public const int VideoPayload = 1200;

    private readonly LatencyHistogram _roundTrips;
    private readonly PeerTransport _transport = new();
    private readonly uint _audioSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly uint _videoSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly byte[] _packet = new byte[RtpPacket.FixedHeaderLength + VideoPayload];
    private JanusSession? _janus;
    private ushort _audioSequence, _videoSequence;
    private uint _audioTimestamp, _videoTimestamp;

    public long Received;

    public EchoPeer(LatencyHistogram roundTrips)
    {
        _roundTrips = roundTrips;
        _transport.RtpReceived = OnRtp;
    }

    public long Sent => Interlocked.Read(ref _transport.SentRtp);

    public long Discarded => Interlocked.Read(ref _transport.Discarded);

    public async Task ConnectAsync(HttpClient http, CancellationToken cancel)
    {
        using var offer = new StringContent(Offer(), Encoding.UTF8, "application/sdp");
        using var response = await http.PostAsync("api/echo", offer, cancel);
        string answerText = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"echo refused ({(int)response.StatusCode}): {answerText}");
        await _transport.ConnectAsync(SessionDescription.Parse(answerText), cancel);
    }

    /// <summary>
    /// Janus EchoTest over its HTTP API (<paramref name="http"/>'s base address is <c>…/janus/</c>): the offer says
    /// ice-lite and carries the peer's own host candidate; Janus (a full agent) checks it, the peer answers, then DTLS
    /// runs towards the address the checks came from, in the role the answer's <c>a=setup</c> gives.
    /// </summary>
    public async Task ConnectJanusAsync(HttpClient http, CancellationToken cancel)
    {
        int port = _transport.BindLocal();
        _janus = await JanusSession.CreateAsync(http, cancel);
        var answer = SessionDescription.Parse(await _janus.EchoTestAsync(Offer(port), cancel));
        await _transport.AcceptAsync(answer, cancel);
        _janus.KeepAlive(CancellationToken.None);
    }

    public void SendAudio() => SendRtp(_audioSsrc, 111, ref _audioSequence, ref _audioTimestamp, 960, AudioPayload);

    public void SendVideo() => SendRtp(_videoSsrc, 96, ref _videoSequence, ref _videoTimestamp, 3000, VideoPayload);

    private void SendRtp(uint ssrc, byte payloadType, ref ushort sequence, ref uint timestamp, uint step, int payload)
    {
        if (!_transport.IsConnected) return;
        Span<byte> packet = _packet;
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp += step);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
        BinaryPrimitives.WriteInt64BigEndian(packet[RtpPacket.FixedHeaderLength..], Stopwatch.GetTimestamp());
        _transport.SendRtp(packet[..(RtpPacket.FixedHeaderLength + payload)]);
    }

    private void OnRtp(Span<byte> packet)
    {
        if (packet.Length < RtpPacket.FixedHeaderLength + 8)
        {
            Interlocked.Increment(ref _transport.Discarded);
            return;
        }
        long sentAt = BinaryPrimitives.ReadInt64BigEndian(packet[RtpPacket.FixedHeaderLength..]);
        _roundTrips.Record(Stopwatch.GetElapsedTime(sentAt));
        Interlocked.Increment(ref Received);
    }

    /// <summary>The offer; with <paramref name="litePort"/> it declares ICE-lite and a host candidate on that loopback port.</summary>
    private string Offer(int? litePort = null)
    {
        string[] transport = [.. _transport.OfferTransportLines(litePort)];
        return string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", .. litePort is null ? Array.Empty<string>() : ["a=ice-lite"],
            "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", .. transport, "a=mid:0", "a=sendrecv", "a=rtpmap:111 opus/48000/2",
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_audioSsrc} cname:load"),
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", .. transport, "a=mid:1", "a=sendrecv", "a=rtpmap:96 VP8/90000",
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_videoSsrc} cname:load"), ""]);
    }

    public void Dispose()
    {
        _transport.Dispose();
        _janus?.Dispose();
    }
}
