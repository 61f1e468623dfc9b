using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Bench;
using Switchboard.Dtls;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;
using Switchboard.Protocols.Srtp;
using Switchboard.Protocols.Stun;

namespace Switchboard.MediaLoad;

/// <summary>
/// One synthetic browser against <c>POST /api/echo</c>: offers Opus and VP8, checks the server's UDP candidate as the
/// controlling ICE agent (then every 2 s for consent), runs DTLS as the client and sends SRTP whose payload starts with
/// the send time, so each echoed packet gives a round trip through the server.
/// </summary>
internal sealed class EchoPeer(LatencyHistogram roundTrips) : IDisposable
{
    public const int AudioPayload = 100;
    public const int VideoPayload = 1200;
    private static readonly DtlsCertificate Certificate = DtlsCertificate.Create("media-load");

    private readonly IceCredentials _ice = IceCredentials.Generate();
    private readonly uint _audioSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly uint _videoSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly byte[] _transactionId = RandomNumberGenerator.GetBytes(StunConstants.TransactionIdLength);
    private readonly TaskCompletionSource _checked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SrtpKeyingMaterial> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _sendBuffer = new byte[2048];
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private DtlsSrtpSession? _dtls;
    private SrtpContext? _send, _receive;
    private IceCredentials? _server;
    private ushort _audioSequence, _videoSequence;
    private uint _audioTimestamp, _videoTimestamp;

    public long Sent;
    public long Received;
    public long Discarded;

    public async Task ConnectAsync(HttpClient http, CancellationToken cancel)
    {
        using var offer = new StringContent(Offer(), Encoding.UTF8, "application/sdp");
        using var response = await http.PostAsync("api/echo", offer, cancel);
        string answerText = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"echo refused ({(int)response.StatusCode}): {answerText}");
        var answer = SessionDescription.Parse(answerText);
        MediaDescription first = answer.Media[0];
        _server = new IceCredentials(first.IceUfrag!, first.IcePwd!);
        IceCandidate candidate = first.Candidates.First(c => c.Transport == "udp" && IPAddress.Parse(c.Address).AddressFamily == AddressFamily.InterNetwork);
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);

        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Connect(server);
        _dtls = new DtlsSrtpSession(DtlsRole.Client, Certificate, new CertificateFingerprint(first.Fingerprint!.Algorithm, first.Fingerprint.Value),
            datagram => _socket.Send(datagram));
        _dtls.Connected += keys =>
        {
            _receive = new SrtpContext(keys.Profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
            _send = new SrtpContext(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt);
            _connected.TrySetResult(keys);
        };
        _dtls.Ended += reason => _connected.TrySetException(new InvalidOperationException(reason));
        new Thread(ReceiveLoop) { IsBackground = true, Name = "echo peer receive" }.Start(); // blocking: a thread of its own

        byte[] check = BindingRequest();
        while (!_checked.Task.IsCompleted)
        {
            _socket.Send(check);
            await Task.WhenAny(_checked.Task, Task.Delay(100, cancel));
        }
        _dtls.Start();
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        _ = Task.Run(() => KeepConsent(check));
    }

    private async Task KeepConsent(byte[] check)
    {
        try
        {
            while (true)
            {
                await Task.Delay(2000, _stop.Token);
                _socket!.Send(check);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void SendAudio() => SendRtp(_audioSsrc, 111, ref _audioSequence, ref _audioTimestamp, 960, AudioPayload);

    public void SendVideo() => SendRtp(_videoSsrc, 96, ref _videoSequence, ref _videoTimestamp, 3000, VideoPayload);

    private void SendRtp(uint ssrc, byte payloadType, ref ushort sequence, ref uint timestamp, uint step, int payload)
    {
        SrtpContext? context = _send;
        if (context is null) return;
        Span<byte> packet = _sendBuffer;
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], timestamp += step);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], ssrc);
        BinaryPrimitives.WriteInt64BigEndian(packet[RtpPacket.FixedHeaderLength..], Stopwatch.GetTimestamp());
        int length = RtpPacket.FixedHeaderLength + payload;
        if (context.ProtectRtp(packet, length, out int protectedLength) != SrtpResult.Ok) return;
        try
        {
            _socket!.Send(packet[..protectedLength]);
            Interlocked.Increment(ref Sent);
        }
        catch (SocketException)
        {
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try { length = _socket!.Receive(buffer); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            Span<byte> datagram = buffer.AsSpan(0, length);
            switch (MultiplexedPacket.Classify(datagram))
            {
                case MultiplexedPacketKind.Stun:
                    if (StunMessageReader.TryParse(datagram, out StunMessageReader response) == StunParseError.None
                        && response.Class == StunClass.SuccessResponse && response.TransactionId.SequenceEqual(_transactionId)
                        && response.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(_server!.Password)))
                        _checked.TrySetResult();
                    break;
                case MultiplexedPacketKind.Dtls:
                    _dtls!.OnDatagram(datagram);
                    break;
                case MultiplexedPacketKind.Rtp when _receive is { } context:
                    if (context.UnprotectRtp(datagram, out int plain) != SrtpResult.Ok || plain < RtpPacket.FixedHeaderLength + 8)
                    {
                        Discarded++;
                        break;
                    }
                    long sentAt = BinaryPrimitives.ReadInt64BigEndian(datagram[RtpPacket.FixedHeaderLength..]);
                    roundTrips.Record(Stopwatch.GetElapsedTime(sentAt));
                    Interlocked.Increment(ref Received);
                    break;
            }
        }
    }

    private string Offer() => string.Join("\r\n",
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{_ice.Ufrag}", $"a=ice-pwd:{_ice.Password}",
        $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
        string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_audioSsrc} cname:load"),
        "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{_ice.Ufrag}", $"a=ice-pwd:{_ice.Password}",
        $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:1", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
        string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_videoSsrc} cname:load"), "");

    private byte[] BindingRequest()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), _transactionId);
        writer.AddString(StunAttributeType.Username, $"{_server!.Ufrag}:{_ice.Ufrag}");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E00_1EFF);
        writer.AddUInt64(StunAttributeType.IceControlling, (ulong)Random.Shared.NextInt64());
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _dtls?.Close();
        _socket?.Dispose();
    }
}
