using System.Collections.Concurrent;

namespace Switchboard.MediaLoad;

/// <summary>
/// What the participants of one room share, whatever they send: the server and room they join, how many connect at
/// once, and what went wrong (problems kept in full, the server's <c>error</c> messages counted by code).
/// </summary>
internal abstract class RoomRun(Uri url, string room, int connectConcurrency)
{
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<string, int> _serverErrors = new();

    public Uri Url { get; } = url;
    public string Room { get; } = room;

    public IReadOnlyCollection<string> Problems => _problems;

    public IReadOnlyDictionary<string, int> ServerErrors => _serverErrors;

    /// <summary>Something the server did that the tool did not expect (kept in full, printed at the end).</summary>
    public void Problem(string text) => _problems.Enqueue(text);

    /// <summary>An <c>error</c> message from the server: counted by code, and the first of each code kept in full.</summary>
    public void ServerError(string who, string code, string? message)
    {
        if (_serverErrors.AddOrUpdate(code, 1, (_, n) => n + 1) == 1) Problem($"{who}: server error {code}: {message}");
    }

    /// <summary>Connects <paramref name="participants"/>, a few at a time; returns those that made it (the others are reported).</summary>
    public async Task<List<T>> ConnectAllAsync<T>(IEnumerable<T> participants, Func<T, CancellationToken, Task> connect) where T : RoomParticipant
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var gate = new SemaphoreSlim(connectConcurrency);
        var connected = new List<T>();
        await Task.WhenAll(participants.Select(async participant =>
        {
            try
            {
                await gate.WaitAsync(cancel.Token);
                try { await connect(participant, cancel.Token); }
                finally { gate.Release(); }
                lock (connected) connected.Add(participant);
            }
            catch (Exception e)
            {
                Problem($"{participant.Name}: did not connect: {(e is OperationCanceledException ? "timed out" : e.Message)}");
            }
        }));
        return connected;
    }
}
