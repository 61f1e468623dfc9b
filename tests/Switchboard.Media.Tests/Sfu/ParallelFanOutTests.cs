using System.Collections.Concurrent;
using Switchboard.Media.Sfu;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>A packet's copies spread over threads: every index once, all done when the call returns, errors surfaced.</summary>
public class ParallelFanOutTests
{
    [Fact]
    public void Every_index_runs_once_on_more_than_one_thread_and_all_have_run_when_the_call_returns()
    {
        var fanOut = new ParallelFanOut(workers: 3, minRange: 4);
        for (int round = 0; round < 200; round++)
        {
            var work = new Recorder(count: 50) { CallerWaitsForAWorker = round % 10 == 0 };
            fanOut.Run(work, 50);
            Assert.All(work.Counts, c => Assert.Equal(1, c));
            if (work.CallerWaitsForAWorker) Assert.True(work.Threads.Count > 1, "no worker took a range");
        }
    }

    [Fact]
    public void A_small_audience_runs_on_the_callers_thread_alone()
    {
        var fanOut = new ParallelFanOut(workers: 3, minRange: 16);
        Assert.False(fanOut.Splits(31));
        Assert.True(fanOut.Splits(32));
        Assert.False(new ParallelFanOut(workers: 0, minRange: 16).Splits(1000));
        var work = new Recorder(count: 31);
        fanOut.Run(work, 31);
        Assert.All(work.Counts, c => Assert.Equal(1, c));
        Assert.Equal(new[] { Environment.CurrentManagedThreadId }, work.Threads.Keys);
    }

    [Fact]
    public void Several_callers_at_once_each_get_all_of_their_work_done()
    {
        var fanOut = new ParallelFanOut(workers: 1, minRange: 2);
        var works = Enumerable.Range(0, 8).Select(_ => new Recorder(count: 40)).ToArray();
        Parallel.ForEach(works, new ParallelOptions { MaxDegreeOfParallelism = 4 }, work =>
        {
            for (int i = 0; i < 100; i++)
            {
                work.Reset();
                fanOut.Run(work, 40);
                Assert.All(work.Counts, c => Assert.Equal(1, c));
            }
        });
    }

    [Fact]
    public void A_range_that_throws_reaches_the_caller_after_the_others_ran_and_the_fan_out_keeps_working()
    {
        var fanOut = new ParallelFanOut(workers: 2, minRange: 5);
        var work = new Recorder(count: 30) { ThrowAt = 25 }; // in the last of three ranges, 20-29
        var error = Assert.Throws<InvalidOperationException>(() => fanOut.Run(work, 30));
        Assert.Equal("index 25", error.Message);
        Assert.All(work.Counts[..25], c => Assert.Equal(1, c));

        var next = new Recorder(count: 30);
        fanOut.Run(next, 30);
        Assert.All(next.Counts, c => Assert.Equal(1, c));
    }

    private sealed class Recorder(int count) : IRangeWork
    {
        public int[] Counts { get; } = new int[count];
        public ConcurrentDictionary<int, bool> Threads { get; } = new();
        public int ThrowAt { get; init; } = -1;
        public bool CallerWaitsForAWorker { get; init; }

        public void Reset() => Array.Clear(Counts);

        public void Run(int start, int end)
        {
            Threads[Environment.CurrentManagedThreadId] = true;
            if (start == 0 && CallerWaitsForAWorker) SpinWait.SpinUntil(() => Threads.Count > 1, TimeSpan.FromSeconds(10));
            for (int i = start; i < end; i++)
            {
                if (i == ThrowAt) throw new InvalidOperationException($"index {i}");
                Interlocked.Increment(ref Counts[i]);
            }
        }
    }
}
