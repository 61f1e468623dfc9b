using Switchboard.Protocols.Sctp;

namespace Switchboard.Protocols.DataChannels;

/// <summary>
/// The data channels of one peer connection (RFC 8831) over its SCTP association: DATA_CHANNEL_OPEN and ACK
/// (RFC 8832), channels agreed out of band, text and binary messages with their PPIDs (empty ones as one byte), and
/// closing by stream reset (RFC 8831 §6.7). Sans-IO and not thread-safe, like the association under it.
/// </summary>
public sealed class DataChannelEndpoint : ISctpAssociationListener
{
    private readonly Dictionary<ushort, DataChannel> _channels = [];
    private readonly HashSet<ushort> _resetIn = [], _resetOut = [];
    private readonly IDataChannelListener _listener;
    private readonly ushort _maxChannels;
    private ushort _nextId;
    private long _now;

    /// <param name="isDtlsClient">The DTLS client opens channels with even stream ids, the server with odd ones (RFC 8832 §6).</param>
    public DataChannelEndpoint(SctpOptions options, bool isDtlsClient, Action<ReadOnlySpan<byte>> transmit, IDataChannelListener listener)
    {
        _listener = listener;
        _maxChannels = Math.Min(options.OutboundStreams, options.MaxInboundStreams);
        _nextId = isDtlsClient ? (ushort)0 : (ushort)1;
        Association = new SctpAssociation(options, transmit, this);
    }

    public SctpAssociation Association { get; }

    public IReadOnlyCollection<DataChannel> Channels => _channels.Values;

    /// <summary>Messages dropped: on a stream with no channel, with an unknown PPID, or a DCEP message that made no sense.</summary>
    public long DroppedMessages { get; private set; }

    /// <summary>One SCTP packet from the peer (the plaintext of a DTLS record).</summary>
    public void Receive(ReadOnlySpan<byte> packet, long nowMillis)
    {
        _now = nowMillis;
        Association.Receive(packet, nowMillis);
    }

    /// <summary>Runs the association's due timers; returns when it next wants to run.</summary>
    public long OnTimer(long nowMillis)
    {
        _now = nowMillis;
        return Association.OnTimer(nowMillis);
    }

    /// <summary>Opens a channel in band (DATA_CHANNEL_OPEN); null when no stream id of this side is free.</summary>
    public DataChannel? Open(string label, string protocol, DataChannelReliability reliability, long nowMillis)
    {
        while (_channels.ContainsKey(_nextId) && _nextId < _maxChannels - 2) _nextId += 2;
        if (_nextId >= _maxChannels || _channels.ContainsKey(_nextId)) return null;
        var channel = new DataChannel(_nextId, label, protocol, reliability, negotiated: false);
        _nextId += 2;
        _channels[channel.Id] = channel;
        Association.Send(channel.Id, DataChannelPpid.Dcep, DcepMessage.WriteOpen(label, protocol, reliability), default, nowMillis);
        return channel;
    }

    /// <summary>A channel agreed out of band (<c>negotiated: true</c> on both sides): open at once, no DCEP.</summary>
    public DataChannel Negotiate(ushort id, string label, string protocol, DataChannelReliability reliability)
    {
        if (id >= _maxChannels) throw new ArgumentOutOfRangeException(nameof(id), $"stream ids go up to {_maxChannels - 1}");
        if (_channels.ContainsKey(id)) throw new InvalidOperationException($"stream {id} already carries a channel");
        var channel = new DataChannel(id, label, protocol, reliability, negotiated: true) { IsOpen = true };
        _channels[id] = channel;
        return channel;
    }

    /// <summary>Sends one message with the channel's delivery; empty messages travel as one byte (RFC 8831 §6.6).</summary>
    public SctpSendResult Send(DataChannel channel, ReadOnlySpan<byte> data, bool isText, long nowMillis)
    {
        if (channel.IsClosing || !_channels.ContainsKey(channel.Id)) return SctpSendResult.Closed;
        uint ppid = data.IsEmpty ? (isText ? DataChannelPpid.TextEmpty : DataChannelPpid.BinaryEmpty) : isText ? DataChannelPpid.Text : DataChannelPpid.Binary;
        var reliability = channel.Reliability;
        // Until the peer acknowledges the OPEN, messages go ordered so none overtakes it (RFC 8832 §6).
        var options = new SctpSendOptions(!reliability.Ordered && channel.IsOpen, reliability.MaxRetransmits, reliability.MaxLifetimeMillis);
        return Association.Send(channel.Id, ppid, data.IsEmpty ? [0] : data, options, nowMillis);
    }

    /// <summary>Closes a channel: resets its outgoing stream; the peer answers by resetting its own (RFC 8831 §6.7).</summary>
    public void Close(DataChannel channel, long nowMillis)
    {
        if (channel.IsClosing || !_channels.ContainsKey(channel.Id)) return;
        channel.IsClosing = true;
        channel.IsOpen = false;
        Association.ResetStreams([channel.Id], nowMillis);
    }

    void ISctpAssociationListener.OnEstablished() => _listener.OnEstablished();

    void ISctpAssociationListener.OnMessage(SctpMessage message)
    {
        if (message.PayloadProtocolId == DataChannelPpid.Dcep)
        {
            OnDcep(message);
            return;
        }
        if (!_channels.TryGetValue(message.StreamId, out var channel) || channel.IsClosing)
        {
            DroppedMessages++;
            return;
        }
        bool isText;
        byte[] data;
        switch (message.PayloadProtocolId)
        {
            case DataChannelPpid.Text: (isText, data) = (true, message.Data); break;
            case DataChannelPpid.Binary: (isText, data) = (false, message.Data); break;
            case DataChannelPpid.TextEmpty: (isText, data) = (true, []); break;
            case DataChannelPpid.BinaryEmpty: (isText, data) = (false, []); break;
            default: DroppedMessages++; return;
        }
        if (!channel.IsOpen)
        {
            // A message on a channel this side opened acknowledges the OPEN as well as an ACK would (RFC 8832 §6).
            channel.IsOpen = true;
            _listener.OnChannelOpen(channel);
        }
        _listener.OnMessage(channel, data, isText);
    }

    private void OnDcep(SctpMessage message)
    {
        _channels.TryGetValue(message.StreamId, out var existing);
        if (DcepMessage.TryReadOpen(message.Data, out var open) && existing is null && message.StreamId < _maxChannels)
        {
            var channel = new DataChannel(message.StreamId, open.Label, open.Protocol, open.Reliability, negotiated: false) { IsOpen = true };
            _channels[channel.Id] = channel;
            Association.Send(channel.Id, DataChannelPpid.Dcep, DcepMessage.WriteAck(), default, _now);
            _listener.OnChannelOpen(channel);
        }
        else if (DcepMessage.IsAck(message.Data) && existing is { IsOpen: false, IsClosing: false, Negotiated: false })
        {
            existing.IsOpen = true;
            _listener.OnChannelOpen(existing);
        }
        else DroppedMessages++;
    }

    void ISctpAssociationListener.OnIncomingStreamsReset(IReadOnlyList<ushort> streamIds)
    {
        var answer = new List<ushort>();
        foreach (ushort id in streamIds)
        {
            if (!_channels.TryGetValue(id, out var channel)) continue;
            _resetIn.Add(id);
            if (!channel.IsClosing)
            {
                // The peer closed it: reset this side's stream too, then the id is free (RFC 8831 §6.7).
                channel.IsClosing = true;
                channel.IsOpen = false;
                answer.Add(id);
            }
            Forget(channel);
        }
        if (answer.Count > 0) Association.ResetStreams(answer, _now);
    }

    void ISctpAssociationListener.OnOutgoingStreamsReset(IReadOnlyList<ushort> streamIds)
    {
        foreach (ushort id in streamIds)
        {
            if (!_channels.TryGetValue(id, out var channel)) continue;
            _resetOut.Add(id);
            Forget(channel);
        }
    }

    /// <summary>A channel is gone once both directions of its stream were reset.</summary>
    private void Forget(DataChannel channel)
    {
        if (!_resetIn.Contains(channel.Id) || !_resetOut.Contains(channel.Id)) return;
        _resetIn.Remove(channel.Id);
        _resetOut.Remove(channel.Id);
        _channels.Remove(channel.Id);
        _listener.OnChannelClosed(channel);
    }

    void ISctpAssociationListener.OnBufferedAmountLow() => _listener.OnBufferedAmountLow();

    void ISctpAssociationListener.OnClosed(string reason)
    {
        foreach (var channel in _channels.Values) channel.IsOpen = false;
        _channels.Clear();
        _listener.OnClosed(reason);
    }
}
