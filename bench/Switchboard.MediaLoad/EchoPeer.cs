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
/// the send time, so each echoed packet gives a round trip through the server. Against Janus's EchoTest
/// (<see cref="ConnectJanusAsync"/>) the roles turn round: Janus is the full ICE agent, so the peer offers
/// <c>a=ice-lite</c> with a host candidate for its own socket and answers Janus's checks with <see cref="IceLiteAgent{TPath}"/>,
/// and takes the DTLS role the answer's <c>a=setup</c> leaves it (Janus answers <c>active</c>: the peer is the server).
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
    private IceLiteAgent<IPEndPoint>? _lite;
    private JanusSession? _janus;
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

    /// <summary>
    /// Janus EchoTest over its HTTP API (<paramref name="http"/>'s base address is <c>…/janus/</c>): the offer says
    /// ice-lite and carries the peer's own host candidate; Janus (a full agent) checks it, the peer answers, then DTLS
    /// runs towards the address the checks came from, in the role the answer's <c>a=setup</c> gives.
    /// </summary>
    public async Task ConnectJanusAsync(HttpClient http, CancellationToken cancel)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _janus = await JanusSession.CreateAsync(http, cancel);
        var answer = SessionDescription.Parse(await _janus.EchoTestAsync(Offer(port), cancel));
        MediaDescription first = answer.Media[0];
        string ufrag = first.IceUfrag ?? answer.Attributes("ice-ufrag").First(), password = first.IcePwd ?? answer.Attributes("ice-pwd").First();
        Fingerprint fingerprint = first.Fingerprint ?? answer.Attributes("fingerprint").Select(v => Fingerprint.TryParse(v, out var f) ? f : null).First(f => f is not null)!;
        _server = new IceCredentials(ufrag, password);
        _lite = new IceLiteAgent<IPEndPoint>(_ice, _server, TimeSpan.FromSeconds(30), Environment.TickCount64);
        // RFC 5763 §5: the answerer's a=setup:active makes it the DTLS client, so this side is the server.
        DtlsRole role = (first.Setup ?? answer.Attributes("setup").FirstOrDefault()) == "active" ? DtlsRole.Server : DtlsRole.Client;
        _dtls = new DtlsSrtpSession(role, Certificate, new CertificateFingerprint(fingerprint.Algorithm, fingerprint.Value),
            datagram => _socket.Send(datagram)); // connected to the address Janus's checks came from before DTLS starts
        _dtls.Connected += keys =>
        {
            _receive = new SrtpContext(keys.Profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
            _send = new SrtpContext(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt);
            _connected.TrySetResult(keys);
        };
        _dtls.Ended += reason => _connected.TrySetException(new InvalidOperationException(reason));
        new Thread(ReceiveLoop) { IsBackground = true, Name = "echo peer receive" }.Start();

        // Janus's candidates are in the answer (or trickled); either way its first valid check names the path.
        await _checked.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        _dtls.Start();
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        _janus.KeepAlive(_stop.Token);
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
        var stunResponse = new byte[256];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try { length = _lite is null ? _socket!.Receive(buffer) : _socket!.ReceiveFrom(buffer, ref from); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            Span<byte> datagram = buffer.AsSpan(0, length);
            switch (MultiplexedPacket.Classify(datagram))
            {
                case MultiplexedPacketKind.Stun when _lite is { } lite:
                    if (StunMessageReader.TryParse(datagram, out StunMessageReader request) != StunParseError.None) break;
                    var source = (IPEndPoint)from;
                    IceCheckOutcome outcome = lite.HandleBindingRequest(request, source, source, Environment.TickCount64, stunResponse, out int responseLength);
                    if (responseLength > 0) _socket.SendTo(stunResponse.AsSpan(0, responseLength), SocketFlags.None, source);
                    if (outcome is IceCheckOutcome.Valid or IceCheckOutcome.Nominated && !_checked.Task.IsCompleted)
                    {
                        _socket.Connect(source); // DTLS and media go where the first valid check came from
                        _checked.TrySetResult();
                    }
                    break;
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

    /// <summary>The offer; with <paramref name="litePort"/> it declares ICE-lite and a host candidate on that loopback port.</summary>
    private string Offer(int? litePort = null)
    {
        string[] candidate = litePort is { } port
            ? [string.Create(CultureInfo.InvariantCulture, $"a=candidate:1 1 udp 2130706431 127.0.0.1 {port} typ host"), "a=end-of-candidates"]
            : [];
        return string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", .. litePort is null ? Array.Empty<string>() : ["a=ice-lite"],
            "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{_ice.Ufrag}", $"a=ice-pwd:{_ice.Password}",
            $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_audioSsrc} cname:load"), .. candidate,
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{_ice.Ufrag}", $"a=ice-pwd:{_ice.Password}",
            $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:1", "a=sendrecv", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_videoSsrc} cname:load"), .. candidate, ""]);
    }

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
        _janus?.Dispose();
        _socket?.Dispose();
    }
}
