using System.Text.Json;
using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;
using Switchboard.Protocols.Containers;

namespace Switchboard.Media.Recording;

/// <summary>
/// One recording of a room: a directory with a file per recorded track (and segment) and <c>manifest.json</c>, which
/// says what each file holds and where its first sample falls on the sender's wall clock. The manifest is rewritten
/// whenever a file opens, is placed in time or closes, so a server killed mid-recording leaves one that lists every file.
/// </summary>
internal sealed class RoomRecording
{
    public const string ManifestName = "manifest.json";

    internal static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly Lock _gate = new();
    private readonly Dictionary<PublishedTrack, TrackRecorder> _recorders = [];
    private readonly List<Task> _finishing = [];
    private readonly List<RecordingFileEntry> _files = [];
    private readonly TimeProvider _time;
    private readonly Action<RoomRecording> _failed;
    private RecordingState _state = RecordingState.Recording;
    private DateTimeOffset? _endedAt;
    private string? _error;

    public RoomRecording(string id, string room, string directory, RecordingRequest request, TimeProvider time, Action<RoomRecording> failed)
    {
        Id = id;
        Room = room;
        Directory = directory;
        Request = request;
        _time = time;
        _failed = failed;
        StartedAt = time.GetUtcNow();
        SaveManifest();
    }

    public string Id { get; }
    public string Room { get; }
    public string Directory { get; }
    public RecordingRequest Request { get; }
    public DateTimeOffset StartedAt { get; }

    /// <summary>Set once by <see cref="Fail"/>: recorders stop writing.</summary>
    public bool HasFailed
    {
        get { lock (_gate) return _state == RecordingState.Failed; }
    }

    public bool IsRecording
    {
        get { lock (_gate) return _state == RecordingState.Recording; }
    }

    /// <summary>Starts recording a track (under its room's lock).</summary>
    public TrackRecorder Attach(PublishedTrack track)
    {
        var recorder = new TrackRecorder(track, this, _time);
        lock (_gate) _recorders[track] = recorder;
        return recorder;
    }

    /// <summary>The track is no longer recorded (it went, or the recording ends): its files are finished.</summary>
    public void Detach(PublishedTrack track)
    {
        lock (_gate)
            if (_recorders.Remove(track, out TrackRecorder? recorder)) _finishing.Add(recorder.FinishAsync());
    }

    /// <summary>A new file for a track (on the track's recording task).</summary>
    public RecordedFile OpenFile(PublishedTrack track, TrackFormat format, int segment)
    {
        string name = $"{SafeName(track.Owner.Id)}-{track.Source.Name()}{(segment > 1 ? $"-{segment}" : "")}{ContainerWriters.FileExtension(format)}";
        var entry = new RecordingFileEntry(name, track.Id, track.Owner.Id, TrackSources.Name(track.Source), track.IsVideo ? "video" : "audio",
            format.Codec.ToString().ToLowerInvariant(), format.Width, format.Height, _time.GetUtcNow());
        var file = new RecordedFile(System.IO.Path.Combine(Directory, name), format, entry);
        lock (_gate) _files.Add(entry);
        SaveManifest();
        return file;
    }

    /// <summary>Stops the recording for good with an error (the disk filled, a write failed); what was written is finished.</summary>
    public void Fail(string error)
    {
        lock (_gate)
        {
            if (_state != RecordingState.Recording) return;
            _state = RecordingState.Failed;
            _error = error;
        }
        _failed(this);
    }

    /// <summary>Ends the recording after every track was detached: waits for their files to be finished.</summary>
    public async Task CompleteAsync()
    {
        Task[] finishing;
        lock (_gate)
        {
            foreach (PublishedTrack track in _recorders.Keys.ToList()) Detach(track);
            finishing = [.. _finishing];
        }
        await Task.WhenAll(finishing).ConfigureAwait(false);
        lock (_gate)
        {
            if (_state == RecordingState.Recording) _state = RecordingState.Stopped;
            _endedAt ??= _time.GetUtcNow();
        }
        SaveManifest();
    }

    public RecordingInfo Describe()
    {
        lock (_gate) return new RecordingInfo(Id, Room, _state, StartedAt, _endedAt, _error, _files.Select(f => f.Describe()).ToList());
    }

    /// <summary>Writes the manifest whole and renames it over the last one, so a reader never sees half of one.</summary>
    public void SaveManifest()
    {
        string path = System.IO.Path.Combine(Directory, ManifestName), temporary = path + ".tmp";
        lock (_gate)
        {
            try
            {
                File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(Describe(), ManifestJson));
                File.Move(temporary, path, overwrite: true);
            }
            catch (IOException)
            {
                // The disk is full or gone: the files say the rest, and the storage check stops the recording.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A participant id as part of a file name: letters, digits, '-' and '_' kept, anything else '_'.</summary>
    internal static string SafeName(string id) =>
        string.Create(Math.Min(id.Length, 64), id, (span, source) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = char.IsAsciiLetterOrDigit(source[i]) || source[i] is '-' or '_' ? source[i] : '_';
        });
}
