using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Dtls;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sdp;
using Switchboard.Protocols.Srtp;
using Switchboard.Protocols.Stun;

namespace Switchboard.MediaLoad;

/// <summary>Called on the transport's receive thread with one decrypted RTP or RTCP packet; the span is only valid during the call.</summary>
internal delegate void PacketHandler(Span<byte> packet);

/// <summary>
/// The transport of one synthetic browser: a UDP socket, ICE, DTLS-SRTP and the SRTP contexts, as one bundled
/// <c>RTCPeerConnection</c> has them. Against an ICE-lite server (<see cref="ConnectAsync"/>) it is the controlling full
/// agent: it checks the server's UDP candidate with USE-CANDIDATE, then every 2 s for consent, and runs DTLS as the
/// client. Against a full agent such as Janus (<see cref="AcceptAsync"/>) it is ICE-lite itself: it answers the remote
/// checks with <see cref="IceLiteAgent{TPath}"/> and sends to the address the first valid check came from, in the DTLS
/// role the answer's <c>a=setup</c> leaves it. Packets are received on a thread of its own (a blocking receive) and
/// handed to <see cref="RtpReceived"/> and <see cref="RtcpReceived"/> decrypted; sending is safe from any thread.
/// </summary>
internal sealed class PeerTransport : IDisposable
{
    private static readonly DtlsCertificate SharedCertificate = DtlsCertificate.Create("media-load");

    private readonly DtlsCertificate _certificate;
    private readonly double _loss;

    private readonly IceCredentials _ice = IceCredentials.Generate();
    private readonly byte[] _transactionId = RandomNumberGenerator.GetBytes(StunConstants.TransactionIdLength);
    private readonly TaskCompletionSource _checked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SrtpKeyingMaterial> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _sendBuffer = new byte[2048];
    private readonly Lock _sendLock = new(); // one SRTP send context and buffer, used by the pacer and the receive thread
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private Socket? _socket;
    private DtlsSrtpSession? _dtls;
    private SrtpContext? _send, _receive;
    private IceCredentials? _server;
    private IceLiteAgent<IPEndPoint>? _lite;
    private readonly Queue<byte[]> _early = new(); // SRTP/SRTCP that came before the handshake thread had the keys (receive thread only)
    private const int MaxEarly = 256;

    /// <summary>Decrypted RTP, on the receive thread.</summary>
    public PacketHandler? RtpReceived { get; set; }

    /// <summary>Decrypted RTCP compound packets, on the receive thread.</summary>
    public PacketHandler? RtcpReceived { get; set; }

    /// <summary>DTLS application data (SCTP packets of the data channels, RFC 8261), on the receive thread; set before connecting.</summary>
    public Action<byte[]>? ApplicationDataReceived { get; set; }

    /// <summary>SRTP or SRTCP packets that failed authentication, replay or parsing.</summary>
    public long Discarded;

    /// <summary>RTP packets handed to the socket.</summary>
    public long SentRtp;

    public bool IsConnected => _send is not null;

    /// <summary>Datagrams the simulated lossy path dropped, sent and received.</summary>
    public long DroppedSent, DroppedReceived;

    /// <summary>
    /// A transport with the process's shared certificate, or with <paramref name="certificate"/> (a new one is what a
    /// browser's new <c>RTCPeerConnection</c> has). <paramref name="lossPercent"/> makes its path lossy: that share of
    /// the datagrams it sends and of those it receives (ICE, DTLS, SRTP alike) is dropped at random, as a bad link would.
    /// </summary>
    public PeerTransport(DtlsCertificate? certificate = null, double lossPercent = 0)
    {
        _certificate = certificate ?? SharedCertificate;
        _loss = lossPercent / 100;
    }

    /// <summary>
    /// The transport lines every media section of an offer repeats under BUNDLE: ICE credentials, fingerprint,
    /// <c>a=setup:actpass</c>, <c>a=rtcp-mux</c>; with <paramref name="litePort"/>, this side's host candidate on it.
    /// </summary>
    public IEnumerable<string> OfferTransportLines(int? litePort = null)
    {
        yield return $"a=ice-ufrag:{_ice.Ufrag}";
        yield return $"a=ice-pwd:{_ice.Password}";
        yield return $"a=fingerprint:{_certificate.Fingerprint}";
        yield return "a=setup:actpass";
        yield return "a=rtcp-mux";
        if (litePort is { } port)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"a=candidate:1 1 udp 2130706431 127.0.0.1 {port} typ host");
            yield return "a=end-of-candidates";
        }
    }

    /// <summary>
    /// Against an ICE-lite server whose <paramref name="answer"/> carries its candidates: checks the first IPv4 UDP
    /// candidate until it answers, then runs DTLS as the client until SRTP keys are there.
    /// </summary>
    public async Task ConnectAsync(SessionDescription answer, CancellationToken cancel)
    {
        MediaDescription first = answer.Media.FirstOrDefault(m => m.Port != 0) ?? throw new InvalidOperationException("the answer rejects every media section");
        string ufrag = first.IceUfrag ?? answer.Attributes("ice-ufrag").FirstOrDefault() ?? throw new InvalidOperationException("the answer has no a=ice-ufrag");
        string password = first.IcePwd ?? answer.Attributes("ice-pwd").FirstOrDefault() ?? throw new InvalidOperationException("the answer has no a=ice-pwd");
        Fingerprint fingerprint = AnswerFingerprint(answer, first);
        _server = new IceCredentials(ufrag, password);
        IceCandidate candidate = answer.Media.SelectMany(m => m.Candidates)
            .FirstOrDefault(c => c.Transport.Equals("udp", StringComparison.OrdinalIgnoreCase)
                && IPAddress.TryParse(c.Address, out var a) && a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException("the answer has no IPv4 UDP candidate");
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);

        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Connect(server);
        StartDtls(DtlsRole.Client, fingerprint);

        byte[] check = BindingRequest();
        while (!_checked.Task.IsCompleted)
        {
            Send(check);
            await Task.WhenAny(_checked.Task, Task.Delay(100, cancel));
            cancel.ThrowIfCancellationRequested();
        }
        _dtls!.Start();
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        _ = Task.Run(() => KeepConsent(check), _stop.Token);
    }

    /// <summary>Binds the socket of an ICE-lite offer first (<see cref="AcceptAsync"/>): the port for its host candidate.</summary>
    public int BindLocal()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// Against a full ICE agent (after <see cref="BindLocal"/> and an offer that said <c>a=ice-lite</c>): answers its
    /// checks, then runs DTLS towards the address the first valid one came from.
    /// </summary>
    public async Task AcceptAsync(SessionDescription answer, CancellationToken cancel)
    {
        MediaDescription first = answer.Media[0];
        string ufrag = first.IceUfrag ?? answer.Attributes("ice-ufrag").First(), password = first.IcePwd ?? answer.Attributes("ice-pwd").First();
        _server = new IceCredentials(ufrag, password);
        _lite = new IceLiteAgent<IPEndPoint>(_ice, _server, TimeSpan.FromSeconds(30), Environment.TickCount64);
        // RFC 5763 §5: the answerer's a=setup:active makes it the DTLS client, so this side is the server.
        DtlsRole role = (first.Setup ?? answer.Attributes("setup").FirstOrDefault()) == "active" ? DtlsRole.Server : DtlsRole.Client;
        StartDtls(role, AnswerFingerprint(answer, first)); // sends to the address the checks came from, connected before DTLS starts

        await _checked.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        _dtls!.Start();
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
    }

    private static Fingerprint AnswerFingerprint(SessionDescription answer, MediaDescription first) =>
        first.Fingerprint ?? answer.Attributes("fingerprint").Select(v => Fingerprint.TryParse(v, out var f) ? f : null).FirstOrDefault(f => f is not null)
        ?? throw new InvalidOperationException("the answer has no a=fingerprint");

    private void StartDtls(DtlsRole role, Fingerprint fingerprint)
    {
        _dtls = new DtlsSrtpSession(role, _certificate, new CertificateFingerprint(fingerprint.Algorithm, fingerprint.Value),
            datagram => Send(datagram));
        _dtls.Connected += keys =>
        {
            _receive = new SrtpContext(keys.Profile, keys.RemoteMasterKey, keys.RemoteMasterSalt);
            _send = new SrtpContext(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt);
            _connected.TrySetResult(keys);
        };
        _dtls.Ended += reason => _connected.TrySetException(new InvalidOperationException("DTLS: " + reason));
        if (ApplicationDataReceived is { } received) _dtls.ApplicationData += received;
        new Thread(ReceiveLoop) { IsBackground = true, Name = "peer receive" }.Start(); // blocking: a thread of its own
    }

    private async Task KeepConsent(byte[] check)
    {
        try
        {
            while (true)
            {
                await Task.Delay(2000, _stop.Token);
                Send(check);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Protects and sends a plain RTP packet (copied first: <paramref name="packet"/> is left as it was).</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet)
    {
        lock (_sendLock)
        {
            SrtpContext? context = _send;
            if (context is null || packet.Length > _sendBuffer.Length - 64) return false;
            packet.CopyTo(_sendBuffer);
            if (context.ProtectRtp(_sendBuffer, packet.Length, out int protectedLength) != SrtpResult.Ok) return false;
            if (!Send(_sendBuffer.AsSpan(0, protectedLength))) return false;
        }
        Interlocked.Increment(ref SentRtp);
        return true;
    }

    /// <summary>Protects and sends an RTCP compound packet (the plain packet is copied, <paramref name="packet"/> is left as it was).</summary>
    public bool SendRtcp(ReadOnlySpan<byte> packet)
    {
        lock (_sendLock)
        {
            SrtpContext? context = _send;
            if (context is null || packet.Length > _sendBuffer.Length - 64) return false;
            packet.CopyTo(_sendBuffer);
            if (context.ProtectRtcp(_sendBuffer, packet.Length, out int protectedLength) != SrtpResult.Ok) return false;
            return Send(_sendBuffer.AsSpan(0, protectedLength));
        }
    }

    /// <summary>Sends one record of DTLS application data (an SCTP packet); false before DTLS connected or after it ended.</summary>
    public bool SendApplicationData(ReadOnlySpan<byte> data) => _dtls is { } dtls && dtls.Send(data);

    private bool Send(ReadOnlySpan<byte> datagram)
    {
        if (_loss > 0 && Random.Shared.NextDouble() < _loss)
        {
            Interlocked.Increment(ref DroppedSent);
            return true; // lost on the way, as far as the sender can tell it went out
        }
        try
        {
            _socket!.Send(datagram);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private void SendTo(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        if (_loss > 0 && Random.Shared.NextDouble() < _loss)
        {
            Interlocked.Increment(ref DroppedSent);
            return;
        }
        _socket!.SendTo(datagram, SocketFlags.None, to);
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
            if (_loss > 0 && Random.Shared.NextDouble() < _loss)
            {
                DroppedReceived++;
                continue;
            }
            if (_early.Count > 0 && _receive is not null)
                while (_early.TryDequeue(out byte[]? early)) Handle(early, ref from, stunResponse);
            Handle(buffer.AsSpan(0, length), ref from, stunResponse);
        }
    }

    private void Handle(Span<byte> datagram, ref EndPoint from, byte[] stunResponse)
    {
        switch (MultiplexedPacket.Classify(datagram))
        {
            case MultiplexedPacketKind.Stun when _lite is { } lite:
                if (StunMessageReader.TryParse(datagram, out StunMessageReader request) != StunParseError.None) break;
                var source = (IPEndPoint)from;
                IceCheckOutcome outcome = lite.HandleBindingRequest(request, source, source, Environment.TickCount64, stunResponse, out int responseLength);
                if (responseLength > 0) SendTo(stunResponse.AsSpan(0, responseLength), source);
                if (outcome is IceCheckOutcome.Valid or IceCheckOutcome.Nominated && !_checked.Task.IsCompleted)
                {
                    _socket!.Connect(source); // DTLS and media go where the first valid check came from
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
                if (context.UnprotectRtp(datagram, out int plain) != SrtpResult.Ok) Discarded++;
                else RtpReceived?.Invoke(datagram[..plain]);
                break;
            case MultiplexedPacketKind.Rtcp when _receive is { } context:
                if (context.UnprotectRtcp(datagram, out int plainRtcp) != SrtpResult.Ok) Discarded++;
                else RtcpReceived?.Invoke(datagram[..plainRtcp]);
                break;
            case MultiplexedPacketKind.Rtp or MultiplexedPacketKind.Rtcp:
                // The server has its keys as soon as it sent its last handshake flight; this side's DTLS runs on a
                // thread of its own and may not have them yet: keep what comes meanwhile rather than lose it.
                if (_early.Count < MaxEarly) _early.Enqueue(datagram.ToArray());
                else Discarded++;
                break;
        }
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
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _dtls?.Close();
        _socket?.Dispose();
        _stop.Dispose();
    }
}

