using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Recording.Export;
using Switchboard.Media.Sfu;

namespace Switchboard.Media.Recording;

/// <summary>
/// Server-side recording (<see cref="IRoomRecording"/>): a room's recording follows its tracks as they are published and
/// go (the SFU's rooms ask <see cref="Active"/>), ends when stopped, when the room ends or at shutdown, and fails cleanly
/// when the disk runs short of <see cref="RecordingOptions.MinFreeBytes"/> or a write fails. Recordings of earlier runs
/// are found again from their manifests.
/// </summary>
public sealed class RecordingService : IRoomRecording, IHostedService, IDisposable
{
    private static readonly TimeSpan StorageCheckInterval = TimeSpan.FromSeconds(1);

    private readonly SfuService _sfu;
    private readonly RecordingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordingService> _logger;
    private readonly ConcurrentDictionary<string, RoomRecording> _recordings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoomRecording> _activeByRoom = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExportJob> _exports = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _checking = Task.CompletedTask;

    public RecordingService(SfuService sfu, IOptions<MediaOptions> options, TimeProvider time, ILogger<RecordingService> logger)
    {
        _sfu = sfu;
        _options = options.Value.Recording;
        _time = time;
        _logger = logger;
        sfu.Recordings = this;
    }

    /// <summary>The directory recordings are written to.</summary>
    public string Root => Path.GetFullPath(_options.Directory);

    public event Action<RecordingChange>? RecordingChanged;

    /// <summary>The room's running recording, for its SFU room to attach tracks to.</summary>
    internal RoomRecording? Active(string room) => _activeByRoom.TryGetValue(room, out RoomRecording? recording) && recording.IsRecording ? recording : null;

    public string? ActiveIn(string room) => Active(room)?.Id;

    public RecordingStart Start(string room, RecordingRequest request)
    {
        if (!_options.Enabled) return Refuse(RecordingRefusal.Disabled, "recording is turned off (Media:Recording:Enabled)");
        if (Active(room) is { } running) return Refuse(RecordingRefusal.AlreadyRecording, $"room '{room}' is already being recorded ({running.Id})");
        string id = $"{_time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
        string directory = Path.Combine(Root, id);
        try
        {
            Directory.CreateDirectory(directory);
            if (FreeBytes(directory) is long free && free < _options.MinFreeBytes)
            {
                Directory.Delete(directory);
                return Refuse(RecordingRefusal.StorageUnavailable, $"the recordings' disk has {Size(free)} free, less than the {Size(_options.MinFreeBytes)} required (Media:Recording:MinFreeBytes)");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse(RecordingRefusal.StorageUnavailable, $"the recordings' directory cannot be written: {e.Message}");
        }
        var recording = new RoomRecording(id, room, directory, request, _time, OnFailed);
        if (!_activeByRoom.TryAdd(room, recording))
        {
            Directory.Delete(directory, recursive: true);
            return Refuse(RecordingRefusal.AlreadyRecording, $"room '{room}' is already being recorded");
        }
        _recordings[id] = recording;
        _logger.LogInformation("Recording {Recording} of room {Room} started in {Directory}", id, room, directory);
        RecordingChanged?.Invoke(new RecordingChange(room, id, Active: true));
        _sfu.Room(room)?.SyncRecorders();
        return new RecordingStart(recording.Describe(), null, null);
    }

    public async Task<RecordingInfo?> StopAsync(string recordingId)
    {
        if (!_recordings.TryGetValue(recordingId, out RoomRecording? recording)) return Load(recordingId);
        await EndAsync(recording).ConfigureAwait(false);
        return recording.Describe();
    }

    public IReadOnlyList<RecordingInfo> List(string? room = null)
    {
        var found = new Dictionary<string, RecordingInfo>(StringComparer.Ordinal);
        if (Directory.Exists(Root))
            foreach (string directory in Directory.EnumerateDirectories(Root))
                if (Load(Path.GetFileName(directory)) is { } saved) found[saved.Id] = saved;
        foreach (RoomRecording recording in _recordings.Values) found[recording.Id] = recording.Describe();
        return found.Values.Where(r => room is null || r.Room == room).OrderBy(r => r.StartedAt).ToList();
    }

    public RecordingInfo? Get(string recordingId) => _recordings.TryGetValue(recordingId, out RoomRecording? recording) ? recording.Describe() : Load(recordingId);

    public string? FilePath(string recordingId, string fileName)
    {
        RecordingInfo? info = Get(recordingId);
        bool export = fileName.StartsWith(ExportPrefix, StringComparison.Ordinal) && fileName.IndexOfAny(['/', '\\']) < 0 && !fileName.Contains("..", StringComparison.Ordinal);
        if (info is null || !export && info.Files.All(f => f.Name != fileName)) return null;
        string path = Path.Combine(Root, recordingId, fileName);
        return File.Exists(path) ? path : null;
    }

    public bool Delete(string recordingId)
    {
        RecordingInfo? info = Get(recordingId);
        if (info is null || info.State == RecordingState.Recording) return false;
        _recordings.TryRemove(recordingId, out _);
        Directory.Delete(Path.Combine(Root, info.Id), recursive: true);
        return true;
    }

    /// <summary>What every export's file name starts with.</summary>
    private const string ExportPrefix = "export-";

    public ExportInfo? Export(string recordingId, ExportRequest request, out string? problem)
    {
        RecordingInfo? info = Get(recordingId);
        problem = info is null ? $"no recording '{recordingId}'"
            : info.State == RecordingState.Recording ? $"recording '{recordingId}' is still running: stop it first"
            : !ExportRequest.Kinds.Contains(request.Kind) ? $"kind must be one of {string.Join(", ", ExportRequest.Kinds)}"
            : request.Kind == "participant" && string.IsNullOrEmpty(request.ParticipantId) ? "a participant export needs participantId"
            : null;
        if (problem is not null) return null;
        string id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        if (ExportPlan.For(info!, Path.Combine(Root, recordingId), request, id, out problem) is not { } plan) return null;
        var job = new ExportJob(id, recordingId, request, plan);
        _exports[id] = job;
        _logger.LogInformation("Export {Export} ({Kind}) of recording {Recording} started", id, request.Kind, recordingId);
        return job.Describe();
    }

    public ExportInfo? GetExport(string recordingId, string exportId) =>
        _exports.TryGetValue(exportId, out ExportJob? job) && job.RecordingId == recordingId ? job.Describe() : null;

    /// <summary>The room's last participant left: its recording ends.</summary>
    internal void OnRoomEnded(string room)
    {
        if (Active(room) is { } recording) _ = EndAsync(recording);
    }

    private void OnFailed(RoomRecording recording)
    {
        _logger.LogError("Recording {Recording} of room {Room} failed: {Error}", recording.Id, recording.Room, recording.Describe().Error);
        _ = EndAsync(recording);
    }

    private async Task EndAsync(RoomRecording recording)
    {
        bool wasActive = _activeByRoom.TryRemove(new KeyValuePair<string, RoomRecording>(recording.Room, recording));
        _sfu.Room(recording.Room)?.SyncRecorders();
        await recording.CompleteAsync().ConfigureAwait(false);
        if (!wasActive) return;
        RecordingInfo info = recording.Describe();
        _logger.LogInformation("Recording {Recording} of room {Room} ended ({State}): {Files} files", info.Id, info.Room, info.State, info.Files.Count);
        RecordingChanged?.Invoke(new RecordingChange(recording.Room, recording.Id, Active: false));
    }

    /// <summary>A recording of an earlier run (or already ended), from its manifest.</summary>
    private RecordingInfo? Load(string recordingId)
    {
        if (recordingId.Length == 0 || recordingId.IndexOfAny(['/', '\\', '.']) >= 0) return null;
        string manifest = Path.Combine(Root, recordingId, RoomRecording.ManifestName);
        try
        {
            if (!File.Exists(manifest)) return null;
            RecordingInfo? info = System.Text.Json.JsonSerializer.Deserialize<RecordingInfo>(File.ReadAllBytes(manifest), RoomRecording.ManifestJson);
            // A recording the server did not end (it was killed) ended with its process.
            return info is { State: RecordingState.Recording } && !_recordings.ContainsKey(info.Id) ? info with { State = RecordingState.Stopped, Error = "the server stopped without finishing it" } : info;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A size for a message: whole MiB from 1 MiB, KiB below.</summary>
    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";

    private static RecordingStart Refuse(RecordingRefusal refusal, string message) => new(null, refusal, message);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _checking = CheckStorageAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Shutdown: every recording ends with its files finished.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _checking.ConfigureAwait(false);
        await Task.WhenAll(_activeByRoom.Values.Select(EndAsync)).ConfigureAwait(false);
    }

    private async Task CheckStorageAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(StorageCheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
                foreach (RoomRecording recording in _activeByRoom.Values)
                {
                    if (!Directory.Exists(recording.Directory)) recording.Fail("the recording's directory is gone");
                    else if (FreeBytes(recording.Directory) is long free && free < _options.MinFreeBytes)
                        recording.Fail($"the disk ran short of space: {Size(free)} free, less than {Size(_options.MinFreeBytes)} (Media:Recording:MinFreeBytes)");
                }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _stopping.Dispose();
}
