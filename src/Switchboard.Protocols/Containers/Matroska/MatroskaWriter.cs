using System.Diagnostics.CodeAnalysis;
using Switchboard.Protocols.Codecs;
using Switchboard.Protocols.Containers.Codecs;

namespace Switchboard.Protocols.Containers.Matroska;

/// <summary>
/// Writes one track to Matroska, or WebM when the codec allows (VP8, VP9, AV1, Opus): EBML header, a Segment of unknown
/// size, SeekHead, Info, Tracks, then Clusters of SimpleBlocks; <see cref="Finish"/> adds Cues and patches the Duration,
/// the SeekHead and the Segment's size.
/// </summary>
/// <remarks>
/// Crash safety: a cluster is built in memory and written whole, with its size, when it ends (once a second has passed,
/// at whatever frame: WebRTC senders make key frames only when asked, often minutes apart; or on <see cref="Flush"/>),
/// then the stream is flushed. So the
/// file on disk is always a valid live-style Matroska file (unknown-size Segment, complete clusters) up to its last cluster,
/// with no seek back while recording and nothing patched that a crash could leave half-written; what a crash loses is the
/// cluster in memory, about a second. Sized clusters (rather than unknown-size ones) keep every player and seeker happy,
/// and a file cut inside the last cluster still reads up to the cut.
/// </remarks>
public sealed class MatroskaWriter : IContainerWriter
{
    const int SeekHeadReserved = 80, DurationReserved = 11, TimestampScaleNs = 1_000_000;
    const long ClusterMs = 1000; // also keeps a block's relative timestamp well inside int16

    [SuppressMessage("Reliability", "CA2213", Justification = "The caller owns the stream (a file it may still rename or sync).")]
    readonly Stream _output;
    readonly FrameConverter _converter;
    readonly ByteBuffer _frame = new(), _cluster = new(64 * 1024), _scratch = new();
    readonly List<(long TimeMs, long Position)> _cues = [];
    long _start, _written, _segmentDataStart, _infoPosition, _tracksPosition, _durationPosition;
    bool _headerWritten, _clusterOpen, _clusterStartsWithKeyframe, _finished;
    long _clusterTimeMs, _lastTimeMs, _lastDurationMs, _blocks;

    public MatroskaWriter(TrackFormat format, Stream output)
    {
        Format = format;
        _output = output;
        _converter = new FrameConverter(format);
    }

    public TrackFormat Format { get; }
    public long Length => _written + (_clusterOpen ? _cluster.Length + 16 : 0);
    public long DroppedSamples { get; private set; }

    /// <summary>"webm" for VP8, VP9, AV1 and Opus; "matroska" for H.264, which WebM does not allow.</summary>
    public string DocType => Format.Codec == RecordingCodec.H264 ? "matroska" : "webm";

    public bool NeedsNewFile(in MediaSample sample) => false;

    public void Write(in MediaSample sample)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _frame.Clear();
        if (!_converter.TryAppend(sample.Data.Span, sample.IsKeyframe, _frame))
        {
            DroppedSamples++;
            return;
        }
        if (!_headerWritten) WriteHeader();
        bool keyframe = !Format.IsVideo || sample.IsKeyframe;
        long timeMs = Math.Max((sample.Time.Ticks + 5_000) / 10_000, _blocks == 0 ? 0 : _lastTimeMs + 1);
        if (_clusterOpen)
        {
            long elapsed = timeMs - _clusterTimeMs;
            if (elapsed >= ClusterMs) EndCluster();
        }
        if (!_clusterOpen)
        {
            _clusterOpen = true;
            _clusterTimeMs = timeMs;
            _clusterStartsWithKeyframe = keyframe;
            _cluster.Clear();
        }

        _cluster.Id(MatroskaIds.SimpleBlock); // RFC 9559 §10.2
        _cluster.Vint((ulong)(4 + _frame.Length));
        _cluster.Byte(0x81); // track number 1 as a VINT
        _cluster.UInt16((ushort)(short)(timeMs - _clusterTimeMs));
        _cluster.Byte(keyframe ? (byte)0x80 : (byte)0);
        _cluster.Bytes(_frame.Written);

        _lastDurationMs = Format.IsVideo
            ? (timeMs > _lastTimeMs ? timeMs - _lastTimeMs : _lastDurationMs)
            : OpusPacket.SampleCount(_frame.Written) / 48;
        _lastTimeMs = timeMs;
        _blocks++;
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        EndCluster();
        _output.Flush();
    }

    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (!_headerWritten) return;
        EndCluster();

        long cuesPosition = _written - _segmentDataStart;
        var cues = new ByteBuffer();
        foreach (var (timeMs, position) in _cues)
        {
            var positions = new ByteBuffer();
            positions.Unsigned(MatroskaIds.CueTrack, 1);
            positions.Unsigned(MatroskaIds.CueClusterPosition, (ulong)position);
            var point = new ByteBuffer();
            point.Unsigned(MatroskaIds.CueTime, (ulong)timeMs);
            point.Master(MatroskaIds.CueTrackPositions, positions);
            cues.Master(MatroskaIds.CuePoint, point);
        }
        _scratch.Clear();
        _scratch.Master(MatroskaIds.Cues, cues);
        Emit(_scratch.Written);

        if (_output.CanSeek)
        {
            long end = _output.Position;
            _scratch.Clear();
            WriteSeekHead(_scratch, cuesPosition);
            Patch(_segmentDataStart, _scratch.Written);
            _scratch.Clear();
            _scratch.Float(MatroskaIds.Duration, _lastTimeMs + _lastDurationMs);
            Patch(_durationPosition, _scratch.Written);
            _scratch.Clear();
            _scratch.Vint((ulong)(_written - _segmentDataStart), 8);
            Patch(_segmentDataStart - 8, _scratch.Written);
            _output.Position = end;
        }
        _output.Flush();
    }

    /// <summary>Finishes the file if <see cref="Finish"/> was not called; the stream stays open.</summary>
    public void Dispose() => Finish();

    void WriteHeader()
    {
        _headerWritten = true;
        _start = _output.CanSeek ? _output.Position : 0;
        var header = new ByteBuffer(1024);
        var ebml = new ByteBuffer();
        ebml.Unsigned(MatroskaIds.EbmlVersion, 1);
        ebml.Unsigned(MatroskaIds.EbmlReadVersion, 1);
        ebml.Unsigned(MatroskaIds.EbmlMaxIdLength, 4);
        ebml.Unsigned(MatroskaIds.EbmlMaxSizeLength, 8);
        ebml.String(MatroskaIds.DocType, DocType);
        ebml.Unsigned(MatroskaIds.DocTypeVersion, 4);
        ebml.Unsigned(MatroskaIds.DocTypeReadVersion, 2);
        header.Master(MatroskaIds.Ebml, ebml);
        header.Id(MatroskaIds.Segment);
        header.Vint(Ebml.UnknownSize, 8); // patched by Finish
        _segmentDataStart = header.Length;

        var info = new ByteBuffer();
        info.Unsigned(MatroskaIds.TimestampScale, TimestampScaleNs);
        info.String(MatroskaIds.MuxingApp, "Switchboard");
        info.String(MatroskaIds.WritingApp, "Switchboard");
        int durationOffset = info.Length;
        info.Void(DurationReserved); // Finish writes the Duration here

        _infoPosition = SeekHeadReserved;
        var infoElement = new ByteBuffer();
        infoElement.Master(MatroskaIds.Info, info);
        _durationPosition = _segmentDataStart + _infoPosition + infoElement.Length - info.Length + durationOffset;
        _tracksPosition = _infoPosition + infoElement.Length;

        WriteSeekHead(header, cuesPosition: -1);
        header.Bytes(infoElement.Written);
        header.Master(MatroskaIds.Tracks, TrackEntry());
        Emit(header.Written);
    }

    ByteBuffer TrackEntry()
    {
        var entry = new ByteBuffer();
        entry.Unsigned(MatroskaIds.TrackNumber, 1);
        entry.Unsigned(MatroskaIds.TrackUid, 1);
        entry.Unsigned(MatroskaIds.TrackType, Format.IsVideo ? 1u : 2u);
        entry.Unsigned(MatroskaIds.FlagLacing, 0);
        entry.String(MatroskaIds.CodecId, Format.Codec switch
        {
            RecordingCodec.Opus => "A_OPUS",
            RecordingCodec.Vp8 => "V_VP8",
            RecordingCodec.Vp9 => "V_VP9",
            RecordingCodec.Av1 => "V_AV1",
            _ => "V_MPEG4/ISO/AVC",
        });
        if (_converter.CodecPrivate is { } codecPrivate) entry.Element(MatroskaIds.CodecPrivate, codecPrivate);
        var settings = new ByteBuffer();
        if (Format.IsVideo)
        {
            settings.Unsigned(MatroskaIds.PixelWidth, (ulong)_converter.Width);
            settings.Unsigned(MatroskaIds.PixelHeight, (ulong)_converter.Height);
            entry.Master(MatroskaIds.Video, settings);
        }
        else
        {
            // WebM: CodecDelay is the OpusHead's pre-skip in ns, SeekPreRoll 80 ms (RFC 7845 §4.6's decoder convergence)
            entry.Unsigned(MatroskaIds.CodecDelay, (ulong)FrameConverter.OggOpusPreSkip * 1_000_000_000 / OpusPacket.SampleRate);
            entry.Unsigned(MatroskaIds.SeekPreRoll, 80_000_000);
            settings.Float(MatroskaIds.SamplingFrequency, OpusPacket.SampleRate);
            settings.Unsigned(MatroskaIds.Channels, (ulong)Format.Channels);
            entry.Master(MatroskaIds.Audio, settings);
        }
        var entries = new ByteBuffer();
        entries.Master(MatroskaIds.TrackEntry, entry);
        return entries;
    }

    /// <summary>The SeekHead (with the Cues once known, <paramref name="cuesPosition"/> >= 0) and a Void up to its reserved size.</summary>
    void WriteSeekHead(ByteBuffer buffer, long cuesPosition)
    {
        var seeks = new ByteBuffer();
        AddSeek(seeks, MatroskaIds.Info, _infoPosition);
        AddSeek(seeks, MatroskaIds.Tracks, _tracksPosition);
        if (cuesPosition >= 0) AddSeek(seeks, MatroskaIds.Cues, cuesPosition);
        int before = buffer.Length;
        buffer.Master(MatroskaIds.SeekHead, seeks);
        buffer.Void(SeekHeadReserved - (buffer.Length - before));
    }

    static void AddSeek(ByteBuffer seeks, uint id, long position)
    {
        var seek = new ByteBuffer();
        var idBytes = new ByteBuffer();
        idBytes.Id(id);
        seek.Element(MatroskaIds.SeekId, idBytes.Written);
        seek.Unsigned(MatroskaIds.SeekPosition, (ulong)position, length: 8);
        seeks.Master(MatroskaIds.Seek, seek);
    }

    void EndCluster()
    {
        if (!_clusterOpen) return;
        _clusterOpen = false;
        if (_clusterStartsWithKeyframe) _cues.Add((_clusterTimeMs, _written - _segmentDataStart));
        _scratch.Clear();
        var timestamp = new ByteBuffer();
        timestamp.Unsigned(MatroskaIds.Timestamp, (ulong)_clusterTimeMs);
        _scratch.Id(MatroskaIds.Cluster);
        _scratch.Vint((ulong)(timestamp.Length + _cluster.Length));
        _scratch.Bytes(timestamp.Written);
        Emit(_scratch.Written);
        Emit(_cluster.Written);
        _output.Flush();
    }

    void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _written += bytes.Length;
    }

    void Patch(long offset, ReadOnlySpan<byte> bytes)
    {
        _output.Position = _start + offset;
        _output.Write(bytes);
    }
}
