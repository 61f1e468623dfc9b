using Switchboard.Media.Sfu;
using Switchboard.Protocols.Containers;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Media.Recording;

/// <summary>
/// A recorded track from packets to files, on its recording task: packets of whichever source the recorder follows are
/// made one continuous stream (sequence numbers and timestamps run on across layer switches and reconnects, gaps in time
/// kept, a new source placed through the sender reports so that audio and video stay together), assembled into whole
/// frames (a hole waits for the SFU's retransmission, an unrepaired one drops frames up to the next key frame, which is
/// asked for) and written; the file's first sample is placed on the sender's wall clock.
/// </summary>
internal sealed class RecordedStream(PublishedTrack track, RoomRecording recording, SenderClock senderClock)
{
    /// <summary>How long a hole waits for the SFU's retransmission before its frame is given up.</summary>
    public static readonly TimeSpan RepairWait = TimeSpan.FromMilliseconds(500);

    private readonly RtpStreamRewriter _rewriter = new((uint)track.Setup.ClockRate);
    private readonly List<EncodedFrame> _ready = [];
    private FrameAssembler? _assembler;
    private FrameCodec _codec;
    private byte _payloadType = 0xFF;
    private RecordedFile? _file;
    private StreamSource _source;
    private uint _timestampOffset;
    private (RecordingFileEntry Entry, StreamSource Source, uint RtpTimestamp)? _unplaced;
    private int _segments;
    private long _lastMillis;

    public bool HasFailed => recording.HasFailed;

    /// <summary>One packet of the followed source (changed in place). True when a key frame should be asked for.</summary>
    public bool Take(StreamSource source, Span<byte> packet, long nowMillis)
    {
        if (!RtpPacket.TryParse(packet, out RtpPacket rtp)) return false;
        if (rtp.PayloadType != _payloadType && !UsePayloadType(rtp.PayloadType)) return false;
        uint? continueAt = source != _source && _rewriter.HasStarted ? Aligned(source, rtp.Timestamp) : null;
        if (!_rewriter.TryRewrite(source.Key, rtp.SequenceNumber, rtp.Timestamp, nowMillis, out ushort sequence, out uint timestamp, continueAt)) return false;
        (_source, _timestampOffset) = (source, timestamp - rtp.Timestamp);
        RtpHeaderRewriter.SetSequenceNumber(packet, sequence);
        RtpHeaderRewriter.SetTimestamp(packet, timestamp);
        // One SSRC too: with the source's own, the assembler would take a new source for a new stream and place it by arrival time.
        RtpHeaderRewriter.SetSsrc(packet, 1);
        _assembler!.Push(packet, TimeSpan.FromMilliseconds(nowMillis));
        Drain(nowMillis);
        return _assembler.TakeKeyframeRequest();
    }

    /// <summary>
    /// Where a sample of a new source (another layer, or the publisher's new connection) falls on the written timeline:
    /// the followed source's timestamp of the same instant on the sender's wall clock, from both sources' sender reports.
    /// Null until both sent one (the stream then goes on by arrival time).
    /// </summary>
    private uint? Aligned(StreamSource source, uint rtpTimestamp) =>
        senderClock.Translate(source, rtpTimestamp, _source, track.Setup.ClockRate) + _timestampOffset;

    /// <summary>The recording task's tick: holes given up on, and the first sample placed once a sender report came.</summary>
    public void OnTime(long nowMillis)
    {
        if (_assembler is not null)
        {
            Drain(nowMillis);
            if (_assembler.TakeKeyframeRequest()) track.RequestKeyframe(_source.Layer, nowMillis);
        }
        PlaceFirstSample();
    }

    /// <summary>Writes what can still be completed and finishes the file.</summary>
    public void Finish()
    {
        if (_assembler is not null && !HasFailed) Drain(_lastMillis + (long)RepairWait.TotalMilliseconds * 2); // every hole given up on
        PlaceFirstSample();
        CloseFile();
        if (_unplaced is { } first) first.Entry.FirstSampleAt ??= first.Entry.FirstArrivalAt; // no sender report came: when it arrived
        _unplaced = null;
    }

    /// <summary>The codec of a payload type; a change of codec starts a new file. False for what cannot be recorded.</summary>
    private bool UsePayloadType(byte payloadType)
    {
        FrameCodec? codec = CodecOf(payloadType);
        if (codec is null) return false;
        if (_assembler is null || codec != _codec)
        {
            if (_assembler is not null) Finish();
            _codec = codec.Value;
            _assembler = new FrameAssembler(_codec, RepairWait);
        }
        _payloadType = payloadType;
        return true;
    }

    private FrameCodec? CodecOf(byte payloadType)
    {
        if (!track.IsVideo)
            return track.Setup.Codecs.Any(c => c.Codec.PayloadType == payloadType && c.Codec.Encoding.Equals("opus", StringComparison.OrdinalIgnoreCase)) ? FrameCodec.Opus : null;
        return track.Setup.CodecOf(payloadType) switch
        {
            VideoCodec.Vp8 => FrameCodec.Vp8,
            VideoCodec.Vp9 => FrameCodec.Vp9,
            VideoCodec.H264 => FrameCodec.H264,
            VideoCodec.Av1 => FrameCodec.Av1,
            _ => null,
        };
    }

    private void Drain(long nowMillis)
    {
        _lastMillis = Math.Max(_lastMillis, nowMillis);
        _ready.Clear();
        _assembler!.TakeReady(TimeSpan.FromMilliseconds(nowMillis), _ready);
        foreach (EncodedFrame frame in _ready)
        {
            if (HasFailed) return;
            try
            {
                Write(frame);
            }
            catch (IOException e)
            {
                recording.Fail($"writing {track.Id} failed: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                recording.Fail($"writing {track.Id} failed: {e.Message}");
            }
        }
    }

    private void Write(EncodedFrame frame)
    {
        if (_file is not null && _file.NeedsNewFile(frame)) CloseFile();
        if (_file is null)
        {
            var format = new TrackFormat(ToRecordingCodec(_codec), track.Setup.ClockRate, Width: frame.Width, Height: frame.Height);
            _file = recording.OpenFile(track, format, ++_segments);
            _unplaced = (_file.Entry, _source, (uint)frame.Timestamp - _timestampOffset);
        }
        _file.Write(frame);
    }

    private void CloseFile()
    {
        if (_file is null) return;
        try
        {
            _file.Finish();
        }
        catch (IOException e)
        {
            recording.Fail($"finishing {_file.Entry.Name} failed: {e.Message}");
            _file.Dispose();
        }
        recording.SaveManifest();
        _file = null;
    }

    /// <summary>The file's first sample on the sender's wall clock (the manifest's alignment), from a sender report of its source.</summary>
    private void PlaceFirstSample()
    {
        if (_unplaced is not { } first || senderClock.WallClock(first.Source, first.RtpTimestamp, track.Setup.ClockRate) is not { } at) return;
        first.Entry.FirstSampleAt = at;
        _unplaced = null;
        recording.SaveManifest();
    }

    private static RecordingCodec ToRecordingCodec(FrameCodec codec) => codec switch
    {
        FrameCodec.Opus => RecordingCodec.Opus,
        FrameCodec.Vp8 => RecordingCodec.Vp8,
        FrameCodec.Vp9 => RecordingCodec.Vp9,
        FrameCodec.Av1 => RecordingCodec.Av1,
        _ => RecordingCodec.H264,
    };
}
