using System.Buffers;
using System.Threading.Channels;
using Switchboard.Media.Sfu;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Recording;

/// <summary>
/// Records one published track: the forwarding path hands it the packets of the layer it records (and of the layer it
/// is switching to), copied into a bounded queue, and nothing more; a task of its own puts them into one continuous
/// stream (<see cref="RtpStreamRewriter"/>, across layer switches and the publisher's reconnects), assembles whole frames
/// (<see cref="RecordedStream"/>) and writes them. It records the best layer the publisher sends: the highest that
/// arrives, switched to at its key frame, as a subscriber would.
/// </summary>
internal sealed class TrackRecorder
{
    /// <summary>Packets waiting to be written; beyond, packets are dropped (the frames they belonged to are not written).</summary>
    public const int QueuePackets = 4096;

    internal const int LayerCheckMillis = 1000, BatchMillis = 50;

    private readonly Channel<QueuedPacket> _queue = Channel.CreateBounded<QueuedPacket>(
        new BoundedChannelOptions(QueuePackets) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly RecordedStream _stream;
    private readonly TimeProvider _time;
    private readonly Task _writing;
    private readonly SenderClock _senderClock = new();
    private StreamSource? _current;
    private volatile int _layer = -1, _target;
    private long _nextLayerCheckAt;
    private long _dropped;

    public TrackRecorder(PublishedTrack track, RoomRecording recording, TimeProvider time)
    {
        Track = track;
        Recording = recording;
        _time = time;
        _target = Math.Max(0, track.Setup.Layers.Length - 1);
        _stream = new RecordedStream(track, recording, _senderClock);
        _writing = Task.Run(WriteAsync);
    }

    public PublishedTrack Track { get; }
    public RoomRecording Recording { get; }

    /// <summary>Packets waiting in the queue.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Packets the queue had no room for.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The layer the recording wants, for the room's layer demand.</summary>
    public int WantedLayer => _target;

    /// <summary>
    /// The forwarding path: one packet of a layer (not changed, not kept). Packets of other layers are not taken, but
    /// once a second one of them has the recording task look again at which layer to record.
    /// </summary>
    public void Offer(int layer, ReadOnlySpan<byte> packet, long nowMillis)
    {
        if (layer != _layer && layer != _target)
        {
            long due = Volatile.Read(ref _nextLayerCheckAt);
            if (nowMillis >= due && Interlocked.CompareExchange(ref _nextLayerCheckAt, nowMillis + LayerCheckMillis, due) == due)
                _queue.Writer.TryWrite(new QueuedPacket(default, [], 0, nowMillis));
            return;
        }
        byte[] copy = ArrayPool<byte>.Shared.Rent(packet.Length);
        packet.CopyTo(copy);
        if (!_queue.Writer.TryWrite(new QueuedPacket(new StreamSource(Track.Generation, layer), copy, packet.Length, nowMillis)))
        {
            ArrayPool<byte>.Shared.Return(copy);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>An RTCP sender report of one of the track's streams: how its RTP clock maps to the sender's wall clock.</summary>
    public void OnSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp) =>
        _senderClock.Update(new StreamSource(Track.Generation, layer), ntpTimestamp, rtpTimestamp);

    /// <summary>Stops taking packets, writes what is queued and finishes the file(s).</summary>
    public async Task FinishAsync()
    {
        _queue.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
    }

    /// <summary>What was written, and why it stopped if it failed.</summary>
    public RecordedStream Stream => _stream;

    /// <summary>The recording task; a fault in it ends this track's recording with the error, never the server.</summary>
    private async Task WriteAsync()
    {
        try
        {
            await WriteLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Recording.Fail($"recording {Track.Id} failed: {e.GetType().Name}: {e.Message}");
            while (_queue.Reader.TryRead(out QueuedPacket packet))
                if (packet.Length > 0) ArrayPool<byte>.Shared.Return(packet.Buffer);
        }
    }

    private async Task WriteLoopAsync()
    {
        ChannelReader<QueuedPacket> reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Packets that come within a batch interval are written at one wake-up, not one each.
            await Task.Delay(BatchMillis).ConfigureAwait(false);
            while (reader.TryRead(out QueuedPacket packet))
            {
                if (packet.Length == 0)
                {
                    ChooseLayer(packet.ArrivedAtMillis); // the forwarding path's once-a-second look at the layers
                    continue;
                }
                try
                {
                    Take(packet);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(packet.Buffer);
                }
            }
            _stream.OnTime(_time.GetMillis());
        }
        _stream.Finish();
    }

    private void Take(in QueuedPacket packet)
    {
        if (_stream.HasFailed) return;
        Span<byte> bytes = packet.Buffer.AsSpan(0, packet.Length);
        if (packet.Source != _current)
        {
            // Another layer, or the publisher's new connection, starts only at a key frame (audio at once).
            if (packet.Source.Layer != _target && packet.Source.Layer != _layer || !RtpPacket.TryParse(bytes, out RtpPacket rtp)) return;
            if (Track.IsVideo && !KeyframeDetector.IsKeyframeStart(Track.Setup.CodecOf(rtp.PayloadType), rtp.Payload))
            {
                if (packet.Source.Generation != _current?.Generation) Track.RequestKeyframe(packet.Source.Layer, packet.ArrivedAtMillis);
                return;
            }
            _current = packet.Source;
            _layer = packet.Source.Layer;
        }
        if (_stream.Take(packet.Source, bytes, packet.ArrivedAtMillis)) Track.RequestKeyframe(_layer, packet.ArrivedAtMillis);
    }

    /// <summary>The highest layer that arrives; a key frame is asked for when it is not the one recorded.</summary>
    private void ChooseLayer(long nowMillis)
    {
        TrackLayer[] layers = Track.Setup.Layers;
        int best = -1;
        for (int i = layers.Length - 1; i >= 0 && best < 0; i--)
            if (layers[i].Describe(nowMillis).Active) best = i;
        if (best < 0) return;
        _target = best;
        if (best != _layer) Track.RequestKeyframe(best, nowMillis);
    }

    /// <summary>A packet to write; with <see cref="Length"/> 0, the signal to look at the layers again.</summary>
    private readonly record struct QueuedPacket(StreamSource Source, byte[] Buffer, int Length, long ArrivedAtMillis);
}
