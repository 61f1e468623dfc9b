using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Switchboard.Dtls;
using Switchboard.Media.Sfu.Data;
using Switchboard.Media.Tests.Session;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.DataChannels;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Sfu.Data;

/// <summary>
/// A participant with data channels only, as a browser runs them: full ICE and the DTLS client over a loopback socket,
/// the project's SCTP association in the client role, and the two bus channels the JS SDK opens (reliable, lossy) by
/// DATA_CHANNEL_OPEN. What it receives is kept as bus frames. <see cref="Paused"/> stops it reading: its SCTP no
/// longer acknowledges anything, as a participant that stopped reading its data channels.
/// </summary>
internal sealed class DataClient : IDataChannelListener, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private FullIceClientEngine? _engine;
    private UdpSocketEnd? _end;
    private DataChannelEndpoint? _data;
    private DataChannel? _reliable, _lossy;

    /// <param name="openReliableAtOnce">False: only the lossy channel opens with the association, the reliable one on
    /// <see cref="OpenReliable"/> (as a browser's OPEN that loss delays).</param>
    public DataClient(int maxMessageSize = 262144, bool openReliableAtOnce = true)
    {
        MaxMessageSize = maxMessageSize;
        _openReliableAtOnce = openReliableAtOnce;
    }

    private readonly bool _openReliableAtOnce;

    public IceCredentials Ice { get; } = IceCredentials.Generate();
    public DtlsCertificate Certificate { get; } = DtlsCertificate.Create("data-client");
    public int MaxMessageSize { get; }

    /// <summary>Bus frames received, in order (the payload of a frame whose payload followed is put in place).</summary>
    public ConcurrentQueue<ReceivedFrame> Received { get; } = new();

    /// <summary>Both bus channels are open, and the reason the association closed once it did.</summary>
    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<string> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Paused { get; set; }

    public string Offer() => string.Join("\r\n", [
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
        $"a=ice-ufrag:{Ice.Ufrag}", $"a=ice-pwd:{Ice.Password}", $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:0",
        "a=sctp-port:5000", $"a=max-message-size:{MaxMessageSize}", ""]);

    /// <summary>Connects to the server the answer names, opens the association and the two bus channels.</summary>
    public async Task ConnectAsync(string answerSdp, CancellationToken cancel)
    {
        var section = SessionDescription.Parse(answerSdp).Media.Single(m => m.Port != 0);
        IceCandidate candidate = section.Candidates.First(c => c.Transport == "udp");
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);
        _end = new UdpSocketEnd(server);
        _engine = new FullIceClientEngine(_end, server, Ice, new IceCredentials(section.IceUfrag!, section.IcePwd!),
            Certificate, new CertificateFingerprint(section.Fingerprint!.Algorithm, section.Fingerprint.Value), new DtlsSrtpSettings());
        var options = new SctpOptions { RemoteMaxMessageSize = (int)section.MaxMessageSize, MaxReceiveMessageSize = MaxMessageSize, RtoMinMillis = 200, RtoInitialMillis = 200 };
        _data = new DataChannelEndpoint(options, isDtlsClient: true, packet => _engine.Dtls.Send(packet), this);
        _engine.Dtls.ApplicationData += packet =>
        {
            if (Paused) return;
            lock (_gate) _data.Receive(packet, Now);
        };
        _ = _engine.RunAsync(TimeSpan.FromMilliseconds(200), cancel);
        await _engine.Connected.Task.WaitAsync(cancel);
        lock (_gate) _data.Association.Connect(Now);
        _ = RunTimerAsync();
        await Open.Task.WaitAsync(cancel);
    }

    private long Now => _clock.ElapsedMilliseconds;

    private async Task RunTimerAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(20, _stop.Token);
                if (!Paused) lock (_gate) _data!.OnTimer(Now);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Sends a bus frame on the reliable or the lossy channel.</summary>
    public SctpSendResult Send(byte[] frame, bool reliable = true)
    {
        lock (_gate) return _data!.Send((reliable ? _reliable : _lossy)!, frame, isText: false, Now);
    }

    /// <summary>Sends a message to the room's bus as the SDK frames it: <paramref name="to"/> null for everyone, empty for server code only.</summary>
    public SctpSendResult SendMessage(string topic, byte[] payload, bool text = false, IReadOnlyList<string>? to = null, bool reliable = true, bool claimSender = false)
    {
        var flags = (text ? DataFrameFlags.Text : 0) | (to is { Count: 0 } ? DataFrameFlags.ServerOnly : 0);
        return Send(new DataFrame(flags, topic, claimSender ? ["someone-else"] : to ?? [], payload).Write(), reliable);
    }

    public void OnEstablished()
    {
        if (_openReliableAtOnce) OpenReliableLocked();
        _lossy = _data!.Open("switchboard-lossy", ParticipantData.BusProtocol, DataChannelReliability.Lossy, Now);
    }

    /// <summary>Opens the reliable bus channel now (when the client was made not to open it at once).</summary>
    public void OpenReliable()
    {
        lock (_gate) OpenReliableLocked();
    }

    private void OpenReliableLocked() => _reliable = _data!.Open("switchboard", ParticipantData.BusProtocol, DataChannelReliability.Reliable, Now);

    public void OnChannelOpen(DataChannel channel)
    {
        if ((_reliable is { IsOpen: true } || !_openReliableAtOnce) && _lossy is { IsOpen: true }) Open.TrySetResult();
    }

    private DataFrame? _header;

    public void OnMessage(DataChannel channel, byte[] data, bool isText)
    {
        if (_header is { } header)
        {
            _header = null;
            Received.Enqueue(new ReceivedFrame(header with { Payload = data }, channel == _reliable));
            return;
        }
        if (!DataFrame.TryRead(data, out var frame, out _)) return;
        if (frame.Has(DataFrameFlags.PayloadFollows)) _header = frame;
        else Received.Enqueue(new ReceivedFrame(frame, channel == _reliable));
    }

    public void OnChannelClosed(DataChannel channel) { }

    public void OnBufferedAmountLow() { }

    public void OnClosed(string reason) => Closed.TrySetResult(reason);

    public void Dispose()
    {
        _stop.Cancel();
        _engine?.Dispose();
        _end?.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A bus frame a <see cref="DataClient"/> received, and whether on its reliable channel.</summary>
internal readonly record struct ReceivedFrame(DataFrame Frame, bool Reliable)
{
    public string? From => Frame.Has(DataFrameFlags.Notice) || Frame.Participants.Count == 0 ? null : Frame.Participants[0];
    public string Topic => Frame.Topic;
    public byte[] Payload => Frame.Payload.ToArray();
    public bool IsNotice => Frame.Has(DataFrameFlags.Notice);
}
