using System.Globalization;
using System.Text;
using Switchboard.Media.Sfu.Data;
using Switchboard.Protocols.DataChannels;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// A synthetic browser with data channels only, on the room's data bus: it offers one <c>m=application</c> section
/// (publishing and subscribing nothing), connects with <see cref="PeerTransport"/> (ICE, the DTLS client), runs the
/// project's SCTP association in the client role over DTLS application data and opens the two bus channels the JS SDK
/// opens (reliable and ordered, lossy: unordered with no retransmission; protocol <see cref="BusProtocol"/>).
/// It counts the bus frames that reach it and their payload bytes; as the sender (<see cref="SendUntil"/>) it queues
/// frames for everyone as fast as its own send queue lets it. The association is not thread-safe: the receive thread,
/// the run's timer thread and the sending thread take turns under one lock.
/// </summary>
internal sealed class DataParticipant : RoomParticipant, IDataChannelListener
{
    /// <summary>The bus channels' subprotocol (the server's ParticipantData.BusProtocol, docs/media.md "Data channels").</summary>
    private const string BusProtocol = "switchboard-data/1";

    /// <summary>The a=max-message-size of the offer: Chrome's.</summary>
    private const int MaxMessageSize = 256 * 1024;

    /// <summary>The sender stops queueing above this many buffered bytes and waits for the association's low-water mark.</summary>
    private const int HighWaterBytes = 1024 * 1024;

    /// <summary>Messages queued per turn of the lock, so that the receive thread gets its turn while the sender fills up.</summary>
    private const int MessagesPerTurn = 64;

    private readonly Lock _gate = new();
    private readonly DataRun _run;
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AutoResetEvent _bufferedAmountLow = new(false);
    private DataChannelEndpoint? _data;
    private DataChannel? _reliable, _lossy;
    private DataChannel? _payloadFollowsOn; // the channel whose next message is the payload of a frame

    /// <summary>Bus frames received and their payload bytes (the receive thread writes them).</summary>
    public long Received, ReceivedBytes;

    /// <summary>Frames the sender queued and their payload bytes; the times <c>Send</c> said QueueFull; server notices received.</summary>
    public long Sent, SentBytes, QueueFull, Notices;

    public DataParticipant(DataRun run, string name) : base(run, name)
    {
        _run = run;
        Transport.ApplicationDataReceived = OnSctpPacket;
    }

    public async Task ConnectAsync(CancellationToken cancel)
    {
        await JoinAsync(cancel);
        SessionDescription answer = await NegotiateAsync(Offer(), [], [], cancel);
        KeepReading();
        MediaDescription section = answer.Media.FirstOrDefault(m => m.Port != 0 && m.Media == "application")
            ?? throw new InvalidOperationException("the answer rejects the application section");
        var options = new SctpOptions
        {
            RemotePort = (ushort)(section.SctpPort ?? 5000),
            RemoteMaxMessageSize = (int)Math.Min(section.MaxMessageSize, int.MaxValue),
            MaxReceiveMessageSize = MaxMessageSize,
        };
        lock (_gate) _data = new DataChannelEndpoint(options, isDtlsClient: true, packet => Transport.SendApplicationData(packet), this);
        await Transport.ConnectAsync(answer, cancel);
        lock (_gate) _data.Association.Connect(_run.NowMillis);
        await _open.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
    }

    private string Offer() => string.Join("\r\n", [
        .. SessionLines(["0"]),
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", .. Transport.OfferTransportLines(), "a=mid:0",
        "a=sctp-port:5000", string.Create(CultureInfo.InvariantCulture, $"a=max-message-size:{MaxMessageSize}"), ""]);

    private void OnSctpPacket(byte[] packet)
    {
        lock (_gate) _data?.Receive(packet, _run.NowMillis);
    }

    /// <summary>The association's timers (the run's timer thread calls it every few milliseconds).</summary>
    public void OnTimer(long nowMillis)
    {
        lock (_gate) _data?.OnTimer(nowMillis);
    }

    /// <summary>
    /// Queues <paramref name="frame"/> (<paramref name="payloadBytes"/> of it payload) on the reliable or the lossy bus
    /// channel again and again until <paramref name="stop"/>: while less than <see cref="HighWaterBytes"/> is buffered,
    /// then after the association's buffered amount fell below its low-water mark (or Send said QueueFull).
    /// </summary>
    public void SendUntil(byte[] frame, int payloadBytes, bool lossy, CancellationToken stop)
    {
        DataChannel channel = (lossy ? _lossy : _reliable) ?? throw new InvalidOperationException("the bus channels are not open");
        while (!stop.IsCancellationRequested)
        {
            bool full = false;
            lock (_gate)
            {
                SctpAssociation association = _data!.Association;
                for (int i = 0; i < MessagesPerTurn && !full; i++)
                {
                    if (association.BufferedAmount >= HighWaterBytes) { full = true; break; }
                    SctpSendResult result = _data.Send(channel, frame, isText: false, _run.NowMillis);
                    if (result == SctpSendResult.Queued)
                    {
                        Sent++;
                        SentBytes += payloadBytes;
                    }
                    else if (result == SctpSendResult.QueueFull)
                    {
                        QueueFull++;
                        full = true;
                    }
                    else
                    {
                        _run.Problem($"{Name}: Send said {result}");
                        return;
                    }
                }
            }
            if (full) _bufferedAmountLow.WaitOne(50);
        }
    }

    /// <summary>The association's state and counters: where a slow sender waits (window, round trip, retransmissions) and how the server packs what it sends.</summary>
    public AssociationState State()
    {
        lock (_gate)
        {
            SctpAssociation association = _data!.Association;
            SctpCounters counters = association.Counters;
            return new AssociationState(association.BufferedAmount, association.CongestionWindow, association.SmoothedRttMillis, association.RtoMillis,
                counters.PacketsSent, counters.PacketsReceived, counters.DataChunksReceived, counters.DuplicateTsnsReceived, counters.DataChunksDropped,
                counters.SacksSent, counters.SacksReceived, counters.Retransmissions, counters.T3Expirations, counters.MessagesAbandoned);
        }
    }

    // The endpoint's reports, under the lock.

    void IDataChannelListener.OnEstablished()
    {
        long now = _run.NowMillis;
        _reliable = _data!.Open("switchboard", BusProtocol, DataChannelReliability.Reliable, now);
        _lossy = _data.Open("switchboard-lossy", BusProtocol, DataChannelReliability.Lossy, now);
    }

    void IDataChannelListener.OnChannelOpen(DataChannel channel)
    {
        if (_reliable is { IsOpen: true } && _lossy is { IsOpen: true }) _open.TrySetResult();
    }

    void IDataChannelListener.OnMessage(DataChannel channel, byte[] data, bool isText)
    {
        if (_payloadFollowsOn == channel)
        {
            _payloadFollowsOn = null;
            Count(data.Length);
            return;
        }
        if (!DataFrame.TryRead(data, out DataFrame frame, out string? problem))
        {
            _run.Problem($"{Name}: a message that is no bus frame: {problem}");
            return;
        }
        if (frame.Has(DataFrameFlags.Notice))
        {
            if (Interlocked.Increment(ref Notices) == 1) _run.Problem($"{Name}: server notice {frame.Topic}: {Encoding.UTF8.GetString(frame.Payload.Span)}");
        }
        else if (frame.Has(DataFrameFlags.PayloadFollows)) _payloadFollowsOn = channel;
        else Count(frame.Payload.Length);
    }

    private void Count(int payloadBytes)
    {
        Interlocked.Increment(ref Received);
        Interlocked.Add(ref ReceivedBytes, payloadBytes);
    }

    void IDataChannelListener.OnChannelClosed(DataChannel channel) => _run.Problem($"{Name}: channel {channel.Label} closed");

    void IDataChannelListener.OnBufferedAmountLow()
    {
        try { _bufferedAmountLow.Set(); }
        catch (ObjectDisposedException) { } // a packet handled while the participant was disposed
    }

    void IDataChannelListener.OnClosed(string reason)
    {
        _open.TrySetException(new InvalidOperationException("SCTP association closed: " + reason));
        _run.Problem($"{Name}: SCTP association closed: {reason}");
    }

    public override void Dispose()
    {
        base.Dispose();
        _bufferedAmountLow.Dispose();
    }
}

/// <summary>A snapshot of a participant's association (<see cref="DataParticipant.State"/>); added up over the receivers.</summary>
internal sealed record AssociationState(int BufferedAmount, int CongestionWindow, int? SmoothedRttMs, int RtoMs, long PacketsSent, long PacketsReceived,
    long DataChunksReceived, long DuplicateTsnsReceived, long DataChunksDropped, long SacksSent, long SacksReceived, long Retransmissions,
    long T3Expirations, long MessagesAbandoned)
{
    public static AssociationState Sum(IEnumerable<AssociationState> states) => states.Aggregate(new AssociationState(0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        (a, b) => new AssociationState(a.BufferedAmount + b.BufferedAmount, a.CongestionWindow + b.CongestionWindow, null, Math.Max(a.RtoMs, b.RtoMs), a.PacketsSent + b.PacketsSent,
            a.PacketsReceived + b.PacketsReceived, a.DataChunksReceived + b.DataChunksReceived, a.DuplicateTsnsReceived + b.DuplicateTsnsReceived,
            a.DataChunksDropped + b.DataChunksDropped, a.SacksSent + b.SacksSent, a.SacksReceived + b.SacksReceived,
            a.Retransmissions + b.Retransmissions, a.T3Expirations + b.T3Expirations, a.MessagesAbandoned + b.MessagesAbandoned));
}
