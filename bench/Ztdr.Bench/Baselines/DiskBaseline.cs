using System.Diagnostics;
using Ztdr.Bench.Measurement;

namespace Ztdr.Bench.Baselines;

/// <summary>
/// The machine's own limit for what a durable PUT must do at least, measured in a folder on the same filesystem
/// as the vault's data. No S3, no HTTP, no metadata: only the file system calls.
/// </summary>
internal sealed class DiskBaseline
{
    private const int FanOut = 256;
    private readonly string _root;

    public DiskBaseline(string root)
    {
        _root = root;
        Directory.CreateDirectory(Path.Combine(root, "staging"));
        for (var i = 0; i < FanOut; i++)
        {
            Directory.CreateDirectory(ObjectFolder(i));
        }
    }

    /// <summary>
    /// The equivalent of <c>dd if=/dev/zero of=F bs=1M count=N conv=fsync</c>: write the body in 1 MiB blocks to a new
    /// file, fsync, close. One file per round, deleted afterwards.
    /// </summary>
    public Samples SequentialWrite(byte[] body, int warmup, int rounds)
    {
        var rate = new Samples("MiB/s");
        var mib = body.Length / (1024.0 * 1024.0);
        for (var round = 0; round < warmup + rounds; round++)
        {
            var path = Path.Combine(_root, $"sequential-{round}");
            var clock = Stopwatch.StartNew();
            using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
            {
                for (var offset = 0; offset < body.Length; offset += 1 << 20)
                {
                    file.Write(body, offset, Math.Min(1 << 20, body.Length - offset));
                }

                file.Flush(flushToDisk: true);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            File.Delete(path);
            Console.Error.WriteLine($"  disk sequential write+fsync round {round}{(round < warmup ? " (warm-up)" : string.Empty)}: {mib / seconds:F0} MiB/s");
            if (round >= warmup)
            {
                rate.Add(mib / seconds);
            }
        }

        return rate;
    }

    /// <summary>
    /// What each vault PUT does to its data file at least: create a staging file, write the body, fsync it, rename it
    /// into one of 256 object folders, fsync that folder. <paramref name="threads"/> at once, like the S3 clients.
    /// </summary>
    public async Task<(Samples Rate, Samples LatencyMs)> DurableCreatesAsync(byte[] body, int threads, BenchOptions options)
    {
        var rate = new Samples("ops/s");
        var latency = new Samples("ms");
        for (var round = -Math.Min(options.Warmup, 1); round < options.SmallRounds; round++)
        {
            var ops = round < 0 ? threads * 8 : options.SmallOps;
            var prefix = $"r{round + 1}-";
            var outcome = await ConcurrentRun.RunAsync(threads, ops, options.SmallRoundLimit, (_, index) =>
            {
                var name = prefix + index;
                var staging = Path.Combine(_root, "staging", name);
                using (var file = new FileStream(staging, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
                {
                    file.Write(body);
                    file.Flush(flushToDisk: true);
                }

                var folder = ObjectFolder(index % FanOut);
                File.Move(staging, Path.Combine(folder, name));
                DirectorySync.Flush(folder);
                return ValueTask.CompletedTask;
            });
            Console.Error.WriteLine($"  disk create+write+fsync+rename+fsync-dir x{threads} round {round + 1}{(round < 0 ? " (warm-up)" : string.Empty)}: {outcome.OpsPerSecond:F0} ops/s");
            if (round >= 0)
            {
                rate.Add(outcome.OpsPerSecond);
                latency.AddRange(outcome.LatenciesMs);
            }
        }

        return (rate, latency);
    }

    /// <summary>
    /// One thread appending <paramref name="body"/> to one file and fsyncing after each append: the ceiling of any
    /// design that makes every commit durable with its own fsync of one log while holding a single writer lock.
    /// </summary>
    public async Task<(Samples Rate, Samples LatencyMs)> SerialAppendsAsync(byte[] body, BenchOptions options)
    {
        var rate = new Samples("ops/s");
        var latency = new Samples("ms");
        var path = Path.Combine(_root, "log");
        using var log = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });
        for (var round = -Math.Min(options.Warmup, 1); round < options.SmallRounds; round++)
        {
            var ops = round < 0 ? 50 : options.SmallOps / 4;
            var outcome = await ConcurrentRun.RunAsync(1, ops, options.SmallRoundLimit, (_, _) =>
            {
                log.Write(body);
                log.Flush(flushToDisk: true);
                return ValueTask.CompletedTask;
            });
            Console.Error.WriteLine($"  disk serial append+fsync round {round + 1}{(round < 0 ? " (warm-up)" : string.Empty)}: {outcome.OpsPerSecond:F0} ops/s");
            if (round >= 0)
            {
                rate.Add(outcome.OpsPerSecond);
                latency.AddRange(outcome.LatenciesMs);
            }
        }

        return (rate, latency);
    }

    private string ObjectFolder(int i) => Path.Combine(_root, "objects", i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
}
