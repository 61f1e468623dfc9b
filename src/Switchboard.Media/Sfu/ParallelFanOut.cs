using System.Collections.Concurrent;

namespace Switchboard.Media.Sfu;

/// <summary>Work over indexes 0..count-1 that can run as separate ranges on separate threads.</summary>
internal interface IRangeWork
{
    void Run(int start, int end);
}

/// <summary>
/// Spreads one packet's copies for a large audience over worker threads. Each copy costs SRTP and a send (about 10 µs),
/// so 200 subscribers on one thread put the last one 2 ms behind the first. The calling thread takes the first range
/// and the workers the others; the call returns when every range is done, so each subscriber still gets a track's
/// packets in order. A caller that waits helps with queued ranges, so callers never wait on each other.
/// </summary>
internal sealed class ParallelFanOut : IDisposable
{
    private readonly ConcurrentQueue<Range> _ranges = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly int _threads, _minRange;
    private readonly Thread[] _workers;
    private volatile bool _stopped;

    [ThreadStatic] private static Completion? t_completion;

    /// <param name="workers">Threads besides the caller's; 0 runs everything on the caller.</param>
    /// <param name="minRange">Fewest indexes worth handing to another thread.</param>
    public ParallelFanOut(int workers, int minRange)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfLessThan(minRange, 1);
        _minRange = minRange;
        _threads = workers + 1;
        _workers = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"SFU fan-out {i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>The process's fan-out, one worker per core besides the receiving one.</summary>
    public static ParallelFanOut Shared { get; } = new(Math.Max(1, Environment.ProcessorCount - 1), minRange: 16);

    /// <summary>Whether <see cref="Run"/> would hand part of <paramref name="count"/> indexes to other threads.</summary>
    public bool Splits(int count) => Parts(count) > 1;

    private int Parts(int count) => Math.Min(_threads, count / _minRange);

    /// <summary>Runs <paramref name="work"/> over 0..count-1 and returns when all of it has run.</summary>
    public void Run(IRangeWork work, int count)
    {
        int parts = Parts(count);
        if (parts <= 1)
        {
            work.Run(0, count);
            return;
        }
        var completion = t_completion ??= new Completion();
        completion.Start(parts - 1);
        int size = count / parts;
        for (int part = 1; part < parts; part++)
            _ranges.Enqueue(new Range(work, part * size, part == parts - 1 ? count : (part + 1) * size, completion));
        _queued.Release(parts - 1);
        try
        {
            work.Run(0, size);
        }
        finally
        {
            while (!completion.IsDone)
            {
                if (_ranges.TryDequeue(out Range range)) range.Run();
                else completion.Wait();
            }
        }
        completion.ThrowIfFailed();
    }

    private void Work()
    {
        while (true)
        {
            _queued.Wait();
            if (_stopped) return;
            if (_ranges.TryDequeue(out Range range)) range.Run();
        }
    }

    /// <summary>Ends the workers (once no call is running); the process-wide one lives as long as the process.</summary>
    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        _queued.Release(_workers.Length);
        foreach (Thread worker in _workers) worker.Join();
        _queued.Dispose();
    }

    private readonly record struct Range(IRangeWork Work, int Start, int End, Completion Completion)
    {
        public void Run()
        {
            try
            {
                Work.Run(Start, End);
            }
            catch (Exception e)
            {
                Completion.Failed(e);
            }
            finally
            {
                Completion.OneDone();
            }
        }
    }

    /// <summary>Counts a caller's ranges still running; reused by the caller's thread from one call to the next.</summary>
    private sealed class Completion
    {
        private readonly object _gate = new(); // Monitor.Wait needs a monitor
        private int _pending;
        private Exception? _error;

        public bool IsDone => Volatile.Read(ref _pending) == 0;

        public void Start(int ranges)
        {
            _error = null;
            Volatile.Write(ref _pending, ranges);
        }

        /// <summary>A range that threw: the caller gets its exception once every range is done.</summary>
        public void Failed(Exception e) => Interlocked.CompareExchange(ref _error, e, null);

        public void ThrowIfFailed()
        {
            if (_error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        public void OneDone()
        {
            if (Interlocked.Decrement(ref _pending) != 0) return;
            lock (_gate) Monitor.PulseAll(_gate);
        }

        /// <summary>Blocks until every range is done.</summary>
        public void Wait()
        {
            lock (_gate)
                while (!IsDone) Monitor.Wait(_gate);
        }
    }
}
