using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Contracts;
using Switchboard.Media.Peers;
using Switchboard.Protocols.DataChannels;
using Switchboard.Protocols.Sctp;

namespace Switchboard.Media.Sfu.Data;

/// <summary>
/// A participant's end of the room's data bus over the data channels of its peer connection: what it sends on a bus
/// channel (protocol <see cref="BusProtocol"/>) or on any other channel (topic: the channel's label) becomes a
/// <see cref="DataMessage"/> from it; what others send reaches it on its reliable or its lossy bus channel. The SCTP
/// association is written under this object's lock by the connection's packets, its timer and deliveries from others;
/// messages are routed after the lock is let go, so no two participants' locks are ever held together.
/// </summary>
internal sealed class ParticipantData : IDataChannelListener
{
    /// <summary>The data channel subprotocol of the bus's frames (<see cref="DataFrame"/>).</summary>
    public const string BusProtocol = "switchboard-data/1";

    /// <summary>The SCTP port of the server's end (a=sctp-port in answers).</summary>
    public const ushort SctpPort = 5000;

    /// <summary>Lossy messages to a participant are dropped while this much waits to be sent or acknowledged to it.</summary>
    private const int LossyBacklogBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly SfuParticipant _owner;
    private readonly DataChannelEndpoint _endpoint;
    private readonly long _stallMillis;
    private readonly int _queueBytes;
    private readonly List<DataMessage> _inbox = [];
    private readonly List<MediaWarning> _warnings = [];
    private readonly Dictionary<ushort, DataFrame> _awaitingPayload = [];

    /// <summary>
    /// Reliable messages for the participant from before its reliable bus channel opened here. A browser calls a channel
    /// open once it sent DCEP's OPEN (RFC 8832 §6), so others may send to the participant before the server has the OPEN,
    /// which loss can delay by seconds; they wait here (up to the data queue's bytes) instead of being dropped.
    /// </summary>
    private readonly Queue<OutgoingData> _beforeOpen = new();
    private long _beforeOpenBytes;
    private bool _reliableOpened;
    private DataChannel? _reliable, _lossy;
    private long _fullSince = -1, _now;
    private bool _closed;

    public ParticipantData(SfuParticipant owner, IMediaConnection connection, int remotePort, int remoteMaxMessageSize, SfuOptions limits)
    {
        _owner = owner;
        Connection = connection;
        RemoteMaxMessageSize = remoteMaxMessageSize;
        _stallMillis = (long)limits.DataStallTimeout.TotalMilliseconds;
        _queueBytes = limits.DataQueueBytes;
        var options = new SctpOptions
        {
            LocalPort = SctpPort,
            RemotePort = (ushort)remotePort,
            MaxReceiveMessageSize = limits.DataMaxMessageSize,
            RemoteMaxMessageSize = remoteMaxMessageSize,
            MaxSendQueueBytes = limits.DataQueueBytes,
        };
        _endpoint = new DataChannelEndpoint(options, connection.IsDtlsClient, packet => connection.SendSctp(packet), this);
    }

    public IMediaConnection Connection { get; }

    /// <summary>The participant's a=max-message-size for what it receives.</summary>
    public int RemoteMaxMessageSize { get; }

    /// <summary>One SCTP packet from the participant.</summary>
    public void OnPacket(byte[] packet, long nowMillis)
    {
        lock (_gate)
        {
            if (_closed) return;
            _now = nowMillis;
            _endpoint.Receive(packet, nowMillis);
            SendWaiting(nowMillis);
        }
        Dispatch(nowMillis);
    }

    /// <summary>The association's timers, and the check of a queue that stays full.</summary>
    public void OnTimer(long nowMillis)
    {
        lock (_gate)
        {
            if (_closed) return;
            _now = nowMillis;
            _endpoint.OnTimer(nowMillis);
            SendWaiting(nowMillis);
            if (_fullSince >= 0 && _endpoint.Association.BufferedAmount <= _queueBytes / 2) _fullSince = -1;
            else if (_fullSince >= 0 && nowMillis - _fullSince >= _stallMillis)
            {
                _endpoint.Association.Abort("data queue full for too long");
                Warn($"you did not read your data channels for {_stallMillis / 1000} s: they are closed (Media:Sfu:DataStallTimeout)");
            }
        }
        Dispatch(nowMillis);
    }

    /// <summary>
    /// Queues messages for this participant, in one batch so that small ones share packets. Returns how many were
    /// queued; those that can never fit what it accepts are added to <paramref name="tooLarge"/>.
    /// </summary>
    public int Deliver(IReadOnlyList<OutgoingData> batch, long nowMillis, List<OutgoingData> tooLarge)
    {
        int queued = 0;
        lock (_gate)
        {
            _now = nowMillis;
            if (!_closed)
            {
                using var sending = _endpoint.Association.BeginBatch(nowMillis);
                SendWaiting(nowMillis);
                foreach (OutgoingData data in batch)
                {
                    if (Send(data, nowMillis, out bool large)) queued++;
                    else if (large) tooLarge.Add(data);
                }
            }
        }
        Interlocked.Add(ref Connection.Statistics.DataMessagesDropped, batch.Count - queued);
        Dispatch(nowMillis);
        return queued;
    }

    private bool Send(OutgoingData data, long nowMillis, out bool tooLarge)
    {
        tooLarge = false;
        DataMessage message = data.Message;
        DataChannel? channel = message.Reliable ? _reliable : _lossy ?? _reliable;
        if (message.Reliable && (channel is null && !_reliableOpened || _beforeOpen.Count > 0)) return WaitForOpen(data);
        if (channel is null) return false;
        SctpAssociation association = _endpoint.Association;
        if (!message.Reliable && association.BufferedAmount > LossyBacklogBytes) return false;
        SctpSendResult result;
        if (data.Frame.HeaderLength + message.Payload.Length <= RemoteMaxMessageSize)
            result = _endpoint.Send(channel, data.Whole, isText: false, nowMillis);
        else if (channel.Reliability is { Ordered: true, IsReliable: true } && message.Payload.Length <= RemoteMaxMessageSize)
        {
            // Both or neither: a frame whose payload never came would make the receiver take the next message for it.
            if (association.BufferedAmount + data.Header.Length + message.Payload.Length > _queueBytes) result = SctpSendResult.QueueFull;
            else
            {
                result = _endpoint.Send(channel, data.Header, isText: false, nowMillis);
                if (result == SctpSendResult.Queued) result = _endpoint.Send(channel, message.Payload.Span, isText: false, nowMillis);
            }
        }
        else result = SctpSendResult.MessageTooLarge;
        tooLarge = result == SctpSendResult.MessageTooLarge;
        if (result == SctpSendResult.QueueFull && _fullSince < 0)
        {
            _fullSince = nowMillis;
            Warn($"you are not reading your data channels: messages to you are dropped while {_queueBytes} bytes wait (Media:Sfu:DataQueueBytes)");
        }
        return result == SctpSendResult.Queued;
    }

    /// <summary>Keeps a reliable message until the reliable bus channel opens; false when that queue is full.</summary>
    private bool WaitForOpen(OutgoingData data)
    {
        int size = data.Frame.HeaderLength + data.Message.Payload.Length;
        if (_beforeOpenBytes + size > _queueBytes) return false;
        _beforeOpen.Enqueue(data);
        _beforeOpenBytes += size;
        return true;
    }

    /// <summary>Sends, in their order, the messages that waited for the reliable bus channel, once it is open.</summary>
    private void SendWaiting(long nowMillis)
    {
        if (_reliable is null || _beforeOpen.Count == 0) return;
        OutgoingData[] waiting = [.. _beforeOpen];
        _beforeOpen.Clear();
        _beforeOpenBytes = 0;
        foreach (OutgoingData data in waiting)
            if (!Send(data, nowMillis, out _)) Interlocked.Increment(ref Connection.Statistics.DataMessagesDropped);
    }

    /// <summary>Tells the participant about its own sending, on its reliable bus channel.</summary>
    public void Notice(string code, string sentence, long nowMillis)
    {
        lock (_gate)
        {
            _now = nowMillis;
            if (!_closed && _reliable is { } channel) SendNotice(channel, code, sentence);
        }
    }

    private void SendNotice(DataChannel channel, string code, string sentence)
    {
        var frame = new DataFrame(DataFrameFlags.Notice | DataFrameFlags.Text, code, [], Encoding.UTF8.GetBytes(sentence));
        _endpoint.Send(channel, frame.Write(), isText: false, _now);
    }

    /// <summary>Ends the association (the participant left or its connection was replaced).</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed) return;
            _endpoint.Association.Abort("the participant left");
            _closed = true;
        }
    }

    /// <summary>Routes what the participant sent and raises warnings, outside the lock.</summary>
    private void Dispatch(long nowMillis)
    {
        DataMessage[] inbox;
        MediaWarning[] warnings;
        lock (_gate)
        {
            if (_inbox.Count == 0 && _warnings.Count == 0) return;
            inbox = [.. _inbox];
            warnings = [.. _warnings];
            _inbox.Clear();
            _warnings.Clear();
        }
        foreach (MediaWarning warning in warnings) _owner.Room.Service.RaiseParticipantWarned(warning);
        if (inbox.Length > 0) _owner.Room.RouteData(_owner, inbox, nowMillis);
    }

    private void Warn(string sentence) => _warnings.Add(new MediaWarning(_owner.Room.Name, _owner.Id, MediaWarningKind.DataBacklog, sentence));

    // The endpoint's reports, under the lock.

    void IDataChannelListener.OnEstablished() { }

    void IDataChannelListener.OnChannelOpen(DataChannel channel)
    {
        if (channel.Protocol != BusProtocol) return;
        if (channel.Reliability.IsReliable) _reliable ??= channel;
        else _lossy ??= channel;
        _reliableOpened |= _reliable is not null;
    }

    void IDataChannelListener.OnMessage(DataChannel channel, byte[] data, bool isText)
    {
        if (channel.Protocol != BusProtocol)
        {
            // A channel of the app's own: its label is the topic, its delivery the message's.
            Accept(new DataMessage(channel.Label, data, isText, channel.Reliability.IsReliable), channel);
            return;
        }
        if (_awaitingPayload.Remove(channel.Id, out DataFrame header))
        {
            Accept(ToMessage(header with { Payload = data }, channel), channel);
            return;
        }
        if (!DataFrame.TryRead(data, out DataFrame frame, out string? problem))
        {
            NoticeLocked("invalid-data-frame", problem!, channel);
            return;
        }
        if (frame.Has(DataFrameFlags.PayloadFollows))
        {
            if (channel.Reliability is { Ordered: true, IsReliable: true }) _awaitingPayload[channel.Id] = frame;
            else NoticeLocked("invalid-data-frame", "a payload may follow its frame only on the reliable channel", channel);
            return;
        }
        Accept(ToMessage(frame, channel), channel);
    }

    private static DataMessage ToMessage(DataFrame frame, DataChannel channel) => new(frame.Topic, frame.Payload, frame.Has(DataFrameFlags.Text),
        channel.Reliability.IsReliable, frame.Has(DataFrameFlags.ServerOnly) ? [] : frame.Participants.Count > 0 ? frame.Participants : null);

    private void Accept(DataMessage message, DataChannel channel)
    {
        Interlocked.Increment(ref Connection.Statistics.DataMessagesReceived);
        if (_owner.MaySendData) _inbox.Add(message);
        else NoticeLocked("not-permitted", "you may not send data in this room", channel);
    }

    private void NoticeLocked(string code, string sentence, DataChannel channel)
    {
        if ((_reliable ?? (channel.Protocol == BusProtocol ? channel : null)) is { } reply) SendNotice(reply, code, sentence);
    }

    void IDataChannelListener.OnChannelClosed(DataChannel channel)
    {
        if (channel == _reliable) _reliable = null;
        if (channel == _lossy) _lossy = null;
        _awaitingPayload.Remove(channel.Id);
    }

    void IDataChannelListener.OnBufferedAmountLow() => _fullSince = -1;

    void IDataChannelListener.OnClosed(string reason)
    {
        _beforeOpen.Clear();
        _beforeOpenBytes = 0;
        SctpCounters c = _endpoint.Association.Counters;
        _owner.Room.Service.Logger.LogInformation(
            "SFU room {Room}: the data channels of {Participant} closed: {Reason} (sent {Chunks} chunks, {Retransmissions} again, {T3} T3-rtx, {FastRetransmits} fast retransmits; received {Received} packets)",
            _owner.Room.Name, _owner.Id, reason, c.DataChunksSent, c.Retransmissions, c.T3Expirations, c.FastRetransmits, c.PacketsReceived);
        _closed = true;
        _reliable = _lossy = null;
    }
}
