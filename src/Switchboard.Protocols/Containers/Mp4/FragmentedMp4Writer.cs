using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Switchboard.Protocols.Codecs;
using Switchboard.Protocols.Containers.Codecs;

namespace Switchboard.Protocols.Containers.Mp4;

/// <summary>
/// Writes an H.264 track to fragmented MP4 (ISO/IEC 14496-12 §8.8): ftyp and a moov without samples (avc1 with the avcC
/// of the first key frame, mvex/trex), then a moof (mfhd, traf with tfhd default-base-is-moof, tfdt, trun) and an mdat
/// per fragment of about a second (a fragment may start at any sample: WebRTC senders make key frames only when asked).
/// <see cref="Finish"/> sets the duration in mehd and appends an mfra (tfra, mfro) indexing the fragments.
/// </summary>
/// <remarks>
/// Crash safety: the moov is written with the first key frame; a fragment is built in memory and written whole, then the
/// stream flushed. A file cut after any complete fragment plays up to that fragment; what a crash loses is the fragment
/// in memory, about a second. A sample's duration is the time to the next one; the last sample of a fragment ended by
/// <see cref="Flush"/> gets its predecessor's, and the next fragment's tfdt states its true start.
/// A key frame with another SPS or PPS (a resolution change) makes <see cref="NeedsNewFile"/> true: the moov's avcC
/// cannot change, so the recorder starts a new file with that frame.
/// </remarks>
public sealed class FragmentedMp4Writer : IContainerWriter
{
    const int Timescale = 90_000, MovieTimescale = 1000, DefaultDuration = Timescale / 30;
    const long FragmentTicks = Timescale; // a second, at whatever sample: WebRTC senders make key frames only when asked
    const uint SyncSampleFlags = 0x0200_0000, NonSyncSampleFlags = 0x0101_0000; // §8.8.3.1: depends on no other / non-sync

    [SuppressMessage("Reliability", "CA2213", Justification = "The caller owns the stream (a file it may still rename or sync).")]
    readonly Stream _output;
    readonly FrameConverter _converter;
    readonly ByteBuffer _frame = new(), _data = new(256 * 1024), _box = new(4096);
    readonly List<(long Ticks, int Size, bool Keyframe)> _samples = [];
    readonly List<(long Ticks, long MoofOffset)> _syncFragments = [];
    long _start, _written, _mehdOffset, _lastTicks, _lastDuration = DefaultDuration, _lastSampleTicks, _samplesWritten;
    uint _fragmentSequence;
    bool _initialized, _finished;

    public FragmentedMp4Writer(TrackFormat format, Stream output)
    {
        if (format.Codec != RecordingCodec.H264) throw new ArgumentException($"MP4 holds H.264 here, not {format.Codec}.", nameof(format));
        Format = format;
        _output = output;
        _converter = new FrameConverter(format);
    }

    public TrackFormat Format { get; }
    public long Length => _written + (_samples.Count > 0 ? 200 + 12L * _samples.Count + _data.Length : 0);
    public long DroppedSamples { get; private set; }

    public bool NeedsNewFile(in MediaSample sample) =>
        sample.IsKeyframe && _converter.Avc is { } current && AvcConfiguration.TryRead(sample.Data.Span, out var next) && !next.SameAs(current);

    public void Write(in MediaSample sample)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _frame.Clear();
        if (!_converter.TryAppend(sample.Data.Span, sample.IsKeyframe, _frame))
        {
            DroppedSamples++;
            return;
        }
        if (!_initialized) WriteInitialization();
        long ticks = Math.Max(sample.Time.Ticks * Timescale / TimeSpan.TicksPerSecond, _samplesWritten == 0 ? 0 : _lastSampleTicks + 1);
        _lastSampleTicks = ticks;
        _samplesWritten++;
        if (_samples.Count > 0)
        {
            long elapsed = ticks - _samples[0].Ticks;
            if (elapsed >= FragmentTicks) WriteFragment(ticks);
        }
        _samples.Add((ticks, _frame.Length, sample.IsKeyframe));
        _data.Bytes(_frame.Written);
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        WriteFragment(nextTicks: null);
        _output.Flush();
    }

    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (!_initialized) return;
        WriteFragment(nextTicks: null);

        _box.Clear(); // §8.8.9-8.8.11
        int mfra = _box.Begin("mfra");
        int tfra = _box.BeginFull("tfra", 1, 0);
        _box.UInt32(1); // track_ID
        _box.UInt32(0); // traf, trun and sample numbers in one byte each
        _box.UInt32((uint)_syncFragments.Count);
        foreach (var (ticks, moofOffset) in _syncFragments)
        {
            _box.UInt64((ulong)ticks);
            _box.UInt64((ulong)moofOffset);
            _box.Bytes([1, 1, 1]);
        }
        _box.End(tfra);
        int mfro = _box.BeginFull("mfro", 0, 0);
        _box.UInt32((uint)(_box.Length - mfra + 4));
        _box.End(mfro);
        _box.End(mfra);
        Emit(_box.Written);

        if (_output.CanSeek)
        {
            long end = _output.Position;
            Span<byte> duration = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(duration, (ulong)((_lastTicks + _lastDuration) * MovieTimescale / Timescale));
            _output.Position = _start + _mehdOffset;
            _output.Write(duration);
            _output.Position = end;
        }
        _output.Flush();
    }

    /// <summary>Finishes the file if <see cref="Finish"/> was not called; the stream stays open.</summary>
    public void Dispose() => Finish();

    void WriteInitialization()
    {
        _initialized = true;
        _start = _output.CanSeek ? _output.Position : 0;
        var avc = _converter.Avc!;
        var b = _box;
        b.Clear();
        int ftyp = b.Begin("ftyp");
        b.Ascii("iso5");
        b.UInt32(512);
        b.Ascii("iso5iso6avc1mp41");
        b.End(ftyp);

        int moov = b.Begin("moov");
        int mvhd = b.BeginFull("mvhd", 0, 0); // §8.2.2
        b.Zeros(8); // creation_time, modification_time
        b.UInt32(MovieTimescale);
        b.UInt32(0); // duration: in mehd
        b.UInt32(0x0001_0000); // rate 1.0
        b.UInt16(0x0100); // volume 1.0
        b.Zeros(10);
        b.UnityMatrix();
        b.Zeros(24); // pre_defined
        b.UInt32(2); // next_track_ID
        b.End(mvhd);

        int trak = b.Begin("trak");
        int tkhd = b.BeginFull("tkhd", 0, 3); // §8.3.2: enabled, in movie
        b.Zeros(8);
        b.UInt32(1); // track_ID
        b.Zeros(4 + 4 + 8); // reserved, duration, reserved
        b.Zeros(8); // layer, alternate_group, volume, reserved
        b.UnityMatrix();
        b.UInt32((uint)_converter.Width << 16);
        b.UInt32((uint)_converter.Height << 16);
        b.End(tkhd);
        int mdia = b.Begin("mdia");
        int mdhd = b.BeginFull("mdhd", 0, 0); // §8.4.2
        b.Zeros(8);
        b.UInt32(Timescale);
        b.UInt32(0);
        b.UInt16(0x55C4); // language "und"
        b.UInt16(0);
        b.End(mdhd);
        int hdlr = b.BeginFull("hdlr", 0, 0); // §8.4.3
        b.UInt32(0);
        b.Ascii("vide");
        b.Zeros(12);
        b.Ascii("VideoHandler");
        b.Byte(0);
        b.End(hdlr);
        int minf = b.Begin("minf");
        int vmhd = b.BeginFull("vmhd", 0, 1); // §12.1.2
        b.Zeros(8);
        b.End(vmhd);
        int dinf = b.Begin("dinf");
        int dref = b.BeginFull("dref", 0, 0);
        b.UInt32(1);
        b.End(b.BeginFull("url ", 0, 1)); // media in this file
        b.End(dref);
        b.End(dinf);
        int stbl = b.Begin("stbl");
        int stsd = b.BeginFull("stsd", 0, 0);
        b.UInt32(1);
        int avc1 = b.Begin("avc1"); // ISO/IEC 14496-15 §5.4.2; VisualSampleEntry, 14496-12 §12.1.3
        b.Zeros(6);
        b.UInt16(1); // data_reference_index
        b.Zeros(16);
        b.UInt16((ushort)_converter.Width);
        b.UInt16((ushort)_converter.Height);
        b.UInt32(0x0048_0000); // 72 dpi
        b.UInt32(0x0048_0000);
        b.UInt32(0);
        b.UInt16(1); // frame_count
        b.Zeros(32); // compressorname
        b.UInt16(0x0018); // depth
        b.UInt16(0xFFFF); // pre_defined -1
        int avcC = b.Begin("avcC");
        b.Bytes(avc.ToAvcC());
        b.End(avcC);
        b.End(avc1);
        b.End(stsd);
        foreach (string empty in (ReadOnlySpan<string>)["stts", "stsc", "stco"])
        {
            int box = b.BeginFull(empty, 0, 0);
            b.UInt32(0); // entry_count
            b.End(box);
        }
        int stsz = b.BeginFull("stsz", 0, 0);
        b.UInt64(0); // sample_size, sample_count
        b.End(stsz);
        b.End(stbl);
        b.End(minf);
        b.End(mdia);
        b.End(trak);

        int mvex = b.Begin("mvex"); // §8.8.1
        int mehd = b.BeginFull("mehd", 1, 0);
        _mehdOffset = b.Length;
        b.UInt64(0); // fragment_duration, set by Finish
        b.End(mehd);
        int trex = b.BeginFull("trex", 0, 0);
        b.UInt32(1); // track_ID
        b.UInt32(1); // default_sample_description_index
        b.Zeros(12);
        b.End(trex);
        b.End(mvex);
        b.End(moov);
        Emit(b.Written);
        _output.Flush();
    }

    /// <summary>Writes the samples held as one fragment; <paramref name="nextTicks"/> is the next sample's time when known.</summary>
    void WriteFragment(long? nextTicks)
    {
        if (_samples.Count == 0) return;
        var b = _box;
        b.Clear();
        int moof = b.Begin("moof");
        int mfhd = b.BeginFull("mfhd", 0, 0);
        b.UInt32(++_fragmentSequence);
        b.End(mfhd);
        int traf = b.Begin("traf");
        int tfhd = b.BeginFull("tfhd", 0, 0x02_0000); // default-base-is-moof
        b.UInt32(1);
        b.End(tfhd);
        int tfdt = b.BeginFull("tfdt", 1, 0);
        b.UInt64((ulong)_samples[0].Ticks);
        b.End(tfdt);
        int trun = b.BeginFull("trun", 0, 0x000701); // data-offset, sample duration, size and flags present
        b.UInt32((uint)_samples.Count);
        int dataOffset = b.Length;
        b.UInt32(0);
        for (int i = 0; i < _samples.Count; i++)
        {
            var (ticks, size, keyframe) = _samples[i];
            long next = i + 1 < _samples.Count ? _samples[i + 1].Ticks : nextTicks ?? ticks + _lastDuration;
            if (next > ticks) _lastDuration = next - ticks;
            b.UInt32((uint)(next - ticks));
            b.UInt32((uint)size);
            b.UInt32(keyframe ? SyncSampleFlags : NonSyncSampleFlags);
            _lastTicks = ticks;
        }
        b.End(trun);
        b.End(traf);
        b.End(moof);
        BinaryPrimitives.WriteUInt32BigEndian(b.At(dataOffset, 4), (uint)(b.Length + 8)); // from the moof to the mdat's data
        b.UInt32((uint)(8 + _data.Length));
        b.Ascii("mdat");

        if (_samples[0].Keyframe) _syncFragments.Add((_samples[0].Ticks, _written));
        Emit(b.Written);
        Emit(_data.Written);
        _samples.Clear();
        _data.Clear();
        _output.Flush();
    }

    void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _written += bytes.Length;
    }
}
