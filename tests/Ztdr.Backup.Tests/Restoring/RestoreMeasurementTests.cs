using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Chunking;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Restoring;

/// <summary>
/// Restore throughput on a generated tree (many small files and a few multi-blob files), printed, never asserted.
/// Runs only with ZTDR_MEASURE=1: it writes about 130 MiB per run. One worker against the default shows what the
/// parallelism buys; the store with a delay per read shows it where it matters most, across a network.
/// </summary>
public sealed class RestoreMeasurementTests(ITestOutputHelper output)
{
    private const int Folders = 10;
    private const int FilesPerFolder = 100;
    private const int LargeFiles = 4;
    private const int BlobsPerLargeFile = 16;

    [Fact]
    public async Task Restore_GeneratedTree_PrintsThroughput()
    {
        if (!ChunkerMeasurementTests.Enabled)
        {
            output.WriteLine("Set ZTDR_MEASURE=1 to run the restore measurement.");
            return;
        }

        using var directory = new TemporaryDirectory("restore-measure");
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await MeasureAsync("MemoryObjectStore", new MemoryObjectStore(time), directory, time);
        await MeasureAsync("LocalFolderStore", new LocalFolderStore(directory.Combine("repo"), time), directory, time);
        await MeasureAsync("MemoryObjectStore+5ms/GET", new LatencyStore(new MemoryObjectStore(time), TimeSpan.FromMilliseconds(5)), directory, time);
    }

    private async Task MeasureAsync(string name, IObjectStore store, TemporaryDirectory directory, TimeProvider time)
    {
        BlobId root;
        long bytes;
        using (var writer = await Repo.InitAsync(store, "secret", TimeSpan.FromDays(1), time, RepositoryTests.TestKdf))
        {
            (root, bytes) = await GenerateAsync(writer);
        }

        using var repository = await Repo.OpenAsync(store, "secret", time);
        // Alternating, so the shared machine's load falls on both settings alike.
        foreach (var workers in new int?[] { 1, null, 1, null })
        {
            var target = directory.Combine(name.Replace('/', '-') + "-" + Guid.NewGuid().ToString("N")[..6]);
            var watch = Stopwatch.StartNew();
            var summary = await new Restorer(repository).RestoreTreeAsync(root, target, new RestoreOptions { Workers = workers }, CancellationToken.None);
            watch.Stop();
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} workers {workers?.ToString(CultureInfo.InvariantCulture) ?? "default"}: {summary.Files} files, {summary.Bytes / 1048576.0:F0} MiB in {watch.Elapsed.TotalSeconds:F2} s = {summary.Bytes / 1048576.0 / watch.Elapsed.TotalSeconds:F0} MiB/s, {summary.Files / watch.Elapsed.TotalSeconds:F0} files/s ({Environment.ProcessorCount} cores)"));
            Directory.Delete(target, recursive: true);
        }

        Assert.True(bytes > 0);
    }

    // Blobs saved directly (no chunker) so the measurement is restore alone; random bytes, so zstd stores them as is.
    private static async Task<(BlobId Root, long Bytes)> GenerateAsync(Repo repository)
    {
        var random = new Random(7);
        long total = 0;
        var top = new List<TreeNode>();
        for (var f = 0; f < Folders; f++)
        {
            var nodes = new List<TreeNode>();
            for (var i = 0; i < FilesPerFolder; i++)
            {
                var data = new byte[random.Next(16 * 1024, 128 * 1024)];
                random.NextBytes(data);
                var id = await repository.SaveBlobAsync(BlobType.Data, data);
                nodes.Add(new TreeNode { Name = $"file-{i}.bin", Type = NodeType.File, Mode = 420, MtimeNs = 1, Size = data.Length, Content = [id] });
                total += data.Length;
            }

            var subtree = await new Tree(nodes).SaveAsync(repository, CancellationToken.None);
            top.Add(new TreeNode { Name = $"folder-{f}", Type = NodeType.Dir, Mode = 493, MtimeNs = 1, Subtree = subtree });
        }

        for (var l = 0; l < LargeFiles; l++)
        {
            var content = new List<BlobId>();
            for (var b = 0; b < BlobsPerLargeFile; b++)
            {
                var data = new byte[1024 * 1024];
                random.NextBytes(data);
                content.Add(await repository.SaveBlobAsync(BlobType.Data, data));
                total += data.Length;
            }

            top.Add(new TreeNode { Name = $"large-{l}.bin", Type = NodeType.File, Mode = 420, MtimeNs = 1, Size = BlobsPerLargeFile * 1024L * 1024, Content = content });
        }

        var root = await new Tree(top).SaveAsync(repository, CancellationToken.None);
        await repository.FlushAsync();
        return (root, total);
    }
}

/// <summary>A store that answers every read after a delay, as a store across a network does.</summary>
internal sealed class LatencyStore(IObjectStore inner, TimeSpan latency) : ForwardingStore(inner)
{
    public override async Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(latency, cancellationToken);
        return await Inner.GetAsync(name, range, cancellationToken);
    }

    public override async Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(latency, cancellationToken);
        return await Inner.GetVersionAsync(name, versionId, range, cancellationToken);
    }
}
