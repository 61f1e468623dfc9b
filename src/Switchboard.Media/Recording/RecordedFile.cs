using Switchboard.Media.Contracts;
using Switchboard.Protocols.Containers;
using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Media.Recording;

/// <summary>
/// One file a track is written to (a segment: a track has several when its codec or, in MP4, its size changes): the
/// container writer over the file, and what the manifest says of it. Written by its track's recording task alone.
/// </summary>
/// <remarks>
/// The file is unbuffered: the writers hand it whole clusters, pages and fragments. A write that fails (the disk is
/// full) cuts the file back to the end of its last whole one, so it still plays to there, and nothing more is written.
/// </remarks>
internal sealed class RecordedFile : IDisposable
{
    private readonly FileStream _output;
    private readonly IContainerWriter _writer;
    private readonly int _clockRate;
    private long _firstTimestamp = -1, _lastTimestamp;
    private long _whole; // the file's length after its last whole write: where a failed write cuts it back to
    private bool _cut;

    public RecordedFile(string path, TrackFormat format, RecordingFileEntry entry)
    {
        Path = path;
        Entry = entry;
        _clockRate = format.ClockRate;
        _output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        _writer = ContainerWriters.Create(format, _output);
    }

    public string Path { get; }

    /// <summary>What the manifest and the API show of the file; its size and duration grow as it is written.</summary>
    public RecordingFileEntry Entry { get; }

    public TrackFormat Format => _writer.Format;

    /// <summary>Whether the frame must start a new file (an MP4 track whose picture size changed).</summary>
    public bool NeedsNewFile(EncodedFrame frame) => _writer.NeedsNewFile(Sample(frame));

    public void Write(EncodedFrame frame)
    {
        if (_firstTimestamp < 0) _firstTimestamp = frame.Timestamp;
        _lastTimestamp = Math.Max(_lastTimestamp, frame.Timestamp);
        try
        {
            _writer.Write(Sample(frame));
        }
        catch (IOException)
        {
            CutBack();
            throw;
        }
        _whole = _output.Position;
        Entry.Update(_writer.Length, (_lastTimestamp - _firstTimestamp) / (double)_clockRate);
    }

    /// <summary>Completes the file (cues, durations) and closes it.</summary>
    public void Finish()
    {
        if (_cut) return;
        try
        {
            _writer.Finish();
            _output.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            CutBack();
            throw;
        }
        Entry.Update(_output.Length, Entry.DurationSeconds);
        Dispose();
    }

    public void Dispose()
    {
        if (!_cut) _writer.Dispose();
        _output.Dispose();
    }

    /// <summary>After a failed write: the file ends at its last whole cluster, page or fragment, and is closed.</summary>
    private void CutBack()
    {
        _cut = true;
        try
        {
            _output.SetLength(_whole); // shrinking needs no space
        }
        catch (IOException)
        {
            // Players stop at the partly written element; nothing better can be done with this disk.
        }
        Entry.Update(_whole, Entry.DurationSeconds);
        _output.Dispose();
    }

    /// <summary>The frame as a sample of this file: its time from the file's first frame.</summary>
    private MediaSample Sample(EncodedFrame frame) =>
        new(frame.Data, TimeSpan.FromSeconds(_firstTimestamp < 0 ? 0 : (frame.Timestamp - _firstTimestamp) / (double)_clockRate), frame.IsKeyframe);
}

/// <summary>A recording's file as it is written (thread-safe reads for the API while the task writes).</summary>
internal sealed class RecordingFileEntry(string name, string trackId, string participantId, string source, string kind, string codec, int width, int height,
    DateTimeOffset firstArrivalAt)
{
    private readonly Lock _gate = new();
    private long _bytes;
    private double _duration;
    private DateTimeOffset? _firstSampleAt;

    public string Name { get; } = name;

    /// <summary>When the file's first frame reached the server: its place in time when the sender sent no report.</summary>
    public DateTimeOffset FirstArrivalAt { get; } = firstArrivalAt;

    public double DurationSeconds => Volatile.Read(ref _duration);

    public void Update(long bytes, double durationSeconds)
    {
        Volatile.Write(ref _bytes, bytes);
        Volatile.Write(ref _duration, durationSeconds);
    }

    public DateTimeOffset? FirstSampleAt
    {
        get { lock (_gate) return _firstSampleAt; }
        set { lock (_gate) _firstSampleAt = value; }
    }

    public RecordingFile Describe() => new(Name, trackId, participantId, source, kind, codec, Volatile.Read(ref _bytes), DurationSeconds, FirstSampleAt, width, height);
}
