using System.Diagnostics;

namespace Ztdr.Bench.Measurement;

/// <summary>What one bounded concurrent round achieved.</summary>
internal sealed record RoundOutcome(int Completed, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs)
{
    public double OpsPerSecond => Completed / Elapsed.TotalSeconds;
}

/// <summary>
/// Runs <c>workers</c> loops that share one counter of <c>operations</c> and stop at that count or at the time
/// limit, whichever comes first, timing every operation. Each worker starts on its own thread so that a body doing
/// blocking file I/O (the disk baseline) gets real parallelism instead of waiting for the thread pool to grow.
/// </summary>
internal static class ConcurrentRun
{
    public static async Task<RoundOutcome> RunAsync(int workers, int operations, TimeSpan limit, Func<int, int, ValueTask> operation)
    {
        var next = -1;
        var latencies = new List<double>[workers];
        var clock = Stopwatch.StartNew();
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            latencies[worker] = new List<double>(operations / workers + 1);
            tasks[worker] = Task.Factory.StartNew(
                async () =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < operations && clock.Elapsed < limit)
                    {
                        var start = Stopwatch.GetTimestamp();
                        await operation(worker, index);
                        latencies[worker].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
        }

        await Task.WhenAll(tasks);
        clock.Stop();
        var all = latencies.SelectMany(l => l).ToList();
        return new RoundOutcome(all.Count, clock.Elapsed, all);
    }
}
