using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Chunking;
using Ztdr.Backup.Tests.Repository;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>
/// Throughput and peak memory of a whole backup into a <see cref="LocalFolderStore"/> on /tmp (docs/architecture.md,
/// "Backup pipeline"), printed, never asserted. Runs with ZTDR_MEASURE=1 in Release. Peak RSS is the kernel's VmHWM,
/// reset (clear_refs 5) after the corpus is written so it measures the backup alone.
/// </summary>
public sealed class ArchiverMeasurementTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    [Fact]
    public async Task Backup_MixedCorpus_PrintsThroughputAndPeakRss()
    {
        if (!ChunkerMeasurementTests.Enabled)
        {
            output.WriteLine("Set ZTDR_MEASURE=1 to run the backup measurement.");
            return;
        }

        var mib = int.Parse(Environment.GetEnvironmentVariable("ZTDR_MEASURE_MIB") ?? "512", CultureInfo.InvariantCulture);
        using var folder = new TempFolder();
        var source = Path.Combine(folder.Path, "src");
        Directory.CreateDirectory(source);
        WriteCorpus(source, mib);

        await MeasureAsync(folder.Path, source, "mixed corpus");
    }

    [Fact]
    public async Task Backup_ManyTinyFiles_PrintsFilesPerSecondAndPeakRss()
    {
        if (!ChunkerMeasurementTests.Enabled)
        {
            output.WriteLine("Set ZTDR_MEASURE=1 to run the backup measurement.");
            return;
        }

        var count = int.Parse(Environment.GetEnvironmentVariable("ZTDR_MEASURE_FILES") ?? "200000", CultureInfo.InvariantCulture);
        using var folder = new TempFolder();
        var source = Path.Combine(folder.Path, "src");
        for (var d = 0; d < count / 1000; d++)
        {
            var dir = Path.Combine(source, $"d{d:D4}");
            Directory.CreateDirectory(dir);
            for (var f = 0; f < 1000; f++)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, $"file-{f:D4}.txt"), $"tiny file {d}/{f}\n");
            }
        }

        await MeasureAsync(folder.Path, source, "tiny files");
    }

    // Not async: the corpus must be unreachable before the peak is reset, not kept alive in a state machine.
    private static void WriteCorpus(string source, int mib)
    {
        var corpus = MixedCorpus.Generate(2026, mib * 1024L * 1024);
        for (var i = 0; i < corpus.Files.Count; i++)
        {
            var dir = Path.Combine(source, (i % 16).ToString("x", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"f{i}.bin"), corpus.Files[i]);
        }
    }

    private async Task MeasureAsync(string root, string source, string label)
    {
        var time = TimeProvider.System;
        var store = new LocalFolderStore(Path.Combine(root, "repo"), time);
        using var repository = await Repo.InitAsync(store, "secret", Retention, time, RepositoryTests.TestKdf);
        // Aggressive: give the corpus's memory back to the kernel, or the reset peak would start at it.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        await File.WriteAllTextAsync("/proc/self/clear_refs", "5");
        var baselineKib = PeakRssKib();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var concurrency = int.Parse(Environment.GetEnvironmentVariable("ZTDR_MEASURE_CONCURRENCY") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var request = new BackupRequest([source]) { Concurrency = concurrency };
        var summary = await new Archiver(repository, new SnapshotCatalog(store, repository), time).BackupAsync(request, CancellationToken.None);
        watch.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var peakKib = PeakRssKib();
        var mibRead = summary.BytesRead / 1048576.0;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{label}: {summary.Files} files, {mibRead:F0} MiB in {watch.Elapsed.TotalSeconds:F1} s = {mibRead / watch.Elapsed.TotalSeconds:F1} MiB/s, "
            + $"{summary.Files / watch.Elapsed.TotalSeconds:F0} files/s; CPU {cpuSeconds:F1} s ({mibRead / cpuSeconds:F1} MiB per CPU-second); "
            + $"peak RSS {peakKib / 1024.0:F0} MiB (before the backup {baselineKib / 1024.0:F0} MiB); concurrency {concurrency} on {Environment.ProcessorCount} cores"));
    }

    private static long PeakRssKib()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ztdr-measure-" + Guid.NewGuid().ToString("N")[..12]);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
