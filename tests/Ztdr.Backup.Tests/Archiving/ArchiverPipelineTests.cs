using System.Runtime.InteropServices;
using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>The parallel archiver: parent snapshots, hard links, raw names, determinism under concurrency.</summary>
public sealed class ArchiverPipelineTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly GeneratedTree _tree = new();

    public ArchiverPipelineTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task BackupAsync_UnchangedTreeAfterReopen_ReadsNothing_UploadsNoPack_SetsParent_ReferencesOldPacks()
    {
        BackupSummary first;
        using (var repository = await InitAsync())
        {
            first = await BackupAsync(repository, new BackupRequest([_tree.Source]));
            Assert.Null(first.Parent);
            Assert.Equal(0, first.FilesUnchanged);
        }

        var packsBefore = await NamesAsync("data/");
        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);

        var second = await BackupAsync(reopened, new BackupRequest([_tree.Source]));

        Assert.Equal(0, second.BytesRead);
        Assert.Equal(second.Files, second.FilesUnchanged);
        Assert.Equal(_tree.Expected.Files, second.Files);
        Assert.Equal(first.SnapshotId, second.Parent);
        Assert.Equal((await PathTrees.AlongAsync(reopened, first.Tree, _tree.Source)).Own, (await PathTrees.AlongAsync(reopened, second.Tree, _tree.Source)).Own);

        // No pack but one of the trees of the folders above the source, when their metadata changed meanwhile.
        var newAbove = await PathTrees.NewAboveAsync(reopened, first.Tree, second.Tree, _tree.Source);
        Assert.Equal(newAbove, second.NewBlobs);
        Assert.Equal(newAbove == 0 ? 0 : 1, second.PacksUploaded);
        Assert.Equal(packsBefore.Count + second.PacksUploaded, (await NamesAsync("data/")).Count);
        Assert.Subset((await NamesAsync("data/")).ToHashSet(), packsBefore.ToHashSet());
        var snapshot = await new SnapshotCatalog(_store, reopened).LoadAsync(second.SnapshotId, Ct);
        Assert.Equal(first.SnapshotId, snapshot.Parent);

        // Lock coverage extends what ReferencedPacks lists: every pack of the reused content must be there.
        var dataPacks = packsBefore.Select(n => n[(n.LastIndexOf('/') + 1)..]).ToHashSet();
        var referenced = reopened.ReferencedPacks.Select(p => p.ToString()).ToHashSet();
        Assert.Subset(referenced, dataPacks);
    }

    [Fact]
    public async Task BackupAsync_OneFileChanged_ReadsOnlyThatFile()
    {
        using var repository = await InitAsync();
        await BackupAsync(repository, new BackupRequest([_tree.Source]));
        var changed = Path.Combine(_tree.Source, "docs", "note-7.txt");
        await File.WriteAllTextAsync(changed, "changed content, a different length\n");

        var second = await BackupAsync(repository, new BackupRequest([_tree.Source]));

        Assert.Equal(new FileInfo(changed).Length, second.BytesRead);
        Assert.Equal(second.Files - 1, second.FilesUnchanged);
        Assert.Equal(1 + TreeBlobsChanged, second.NewBlobs);
        Assert.Equal(2, second.PacksUploaded);
    }

    [Fact]
    public async Task BackupAsync_Force_ReadsEverythingAndRecordsNoParent()
    {
        using var repository = await InitAsync();
        var first = await BackupAsync(repository, new BackupRequest([_tree.Source]));

        var second = await BackupAsync(repository, new BackupRequest([_tree.Source]) { Force = true });

        Assert.Null(second.Parent);
        Assert.Equal(0, second.FilesUnchanged);
        Assert.Equal(_tree.Expected.Bytes, second.BytesRead);

        // Nothing new but the trees of the folders above the source whose metadata changed meanwhile.
        Assert.Equal(await PathTrees.NewAboveAsync(repository, first.Tree, second.Tree, _tree.Source), second.NewBlobs);
        Assert.Equal((await PathTrees.AlongAsync(repository, first.Tree, _tree.Source)).Own, (await PathTrees.AlongAsync(repository, second.Tree, _tree.Source)).Own);
    }

    [Fact]
    public async Task BackupAsync_DefaultParent_IsNewestOfSameHostAndPaths()
    {
        using var repository = await InitAsync();
        var first = await BackupAsync(repository, new BackupRequest([_tree.Source]));
        _time.Advance(TimeSpan.FromMinutes(1));
        var otherHost = await BackupAsync(repository, new BackupRequest([_tree.Source]) { Hostname = "elsewhere" });
        _time.Advance(TimeSpan.FromMinutes(1));
        Directory.CreateDirectory(Path.Combine(_tree.Root, "src-2"));
        var otherPaths = await BackupAsync(repository, new BackupRequest([_tree.Source, Path.Combine(_tree.Root, "src-2")]));
        _time.Advance(TimeSpan.FromMinutes(1));

        var next = await BackupAsync(repository, new BackupRequest([_tree.Source]));
        var named = await BackupAsync(repository, new BackupRequest([_tree.Source]) { Parent = otherHost.SnapshotId });

        Assert.Null(otherHost.Parent);
        Assert.Equal(first.SnapshotId, next.Parent);
        Assert.NotEqual(otherPaths.SnapshotId, next.Parent);
        Assert.Equal(otherHost.SnapshotId, named.Parent);
    }

    [Fact]
    public async Task BackupAsync_HardLinks_SameIdAndContent_ReadOnce()
    {
        var content = new byte[200_000];
        new Random(7).NextBytes(content);
        var first = Path.Combine(_tree.Source, "docs", "linked-a.bin");
        await File.WriteAllBytesAsync(first, content);
        Posix.Link(first, Path.Combine(_tree.Source, "linked-b.bin"));
        Posix.Link(first, Path.Combine(_tree.Source, "docs", "deep", "linked-c.bin"));
        using var repository = await InitAsync();

        var summary = await BackupAsync(repository, new BackupRequest([_tree.Source]));

        Assert.Equal(_tree.Expected.Bytes + content.Length, summary.BytesRead);
        Assert.Equal(_tree.Expected.Files + 3, summary.Files);
        var nodes = await NodesAsync(repository, summary.Tree);
        var linked = new[] { "docs/linked-a.bin", "linked-b.bin", "docs/deep/linked-c.bin" }.Select(p => nodes[BackedUpPath.InSnapshot(_tree.Source, p)]).ToList();
        Assert.All(linked, n => Assert.Equal(3u, n.Links));
        Assert.Single(linked.Select(n => n.HardLinkId).Distinct());
        Assert.True(linked[0].HardLinkId >= 0);
        Assert.All(linked, n => Assert.Equal(linked[0].Content, n.Content));
        Assert.All(linked, n => Assert.Equal(content.Length, n.Size));
        Assert.Null(nodes[BackedUpPath.InSnapshot(_tree.Source, "big.bin")].HardLinkId);
    }

    [Fact]
    public async Task BackupAsync_NameNotUtf8_StoredAsNameRawAndContentRead()
    {
        byte[] name = [(byte)'b', (byte)'a', (byte)'d', 0xff, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];
        var path = PosixReader.Join(PosixReader.PathBytes(Path.Combine(_tree.Source, "docs")), name);
        Posix.WriteFile(path, "raw-named content"u8);
        try
        {
            using var repository = await InitAsync();

            var summary = await BackupAsync(repository, new BackupRequest([_tree.Source]));

            Assert.Empty(summary.Errors);
            var docs = await Tree.LoadAsync(repository, (await NodesAsync(repository, summary.Tree))[BackedUpPath.InSnapshot(_tree.Source, "docs")].Subtree!.Value, Ct);
            var node = Assert.Single(docs.Nodes, n => n.NameRaw is not null);
            Assert.Equal(name, node.NameRaw);
            Assert.Null(node.Name);
            var blob = await repository.LoadBlobAsync(Assert.Single(node.Content!), Ct);
            Assert.Equal("raw-named content"u8.ToArray(), blob);
            Assert.Contains(name, PosixReader.ReadDirectory(PosixReader.PathBytes(Path.Combine(_tree.Source, "docs"))), new BytesComparer());
        }
        finally
        {
            // .NET cannot delete a name it decodes lossily; the folder's cleanup would fail on it.
            Posix.Unlink(path);
        }
    }

    [Fact]
    public async Task BackupAsync_OneWorkerOrMany_SameTreeId()
    {
        using var repository = await InitAsync();

        var serial = await BackupAsync(repository, new BackupRequest([_tree.Source]) { Force = true, Concurrency = 1 });
        var parallel = await BackupAsync(repository, new BackupRequest([_tree.Source]) { Force = true, Concurrency = 8 });

        Assert.Equal((await PathTrees.AlongAsync(repository, serial.Tree, _tree.Source)).Own, (await PathTrees.AlongAsync(repository, parallel.Tree, _tree.Source)).Own);
        Assert.Equal(await PathTrees.NewAboveAsync(repository, serial.Tree, parallel.Tree, _tree.Source), parallel.NewBlobs);
    }

    [Fact]
    public async Task BackupAsync_WithProgress_TotalsFromPreScanAppearBeforeTheEnd()
    {
        using var repository = await InitAsync();
        var reports = new List<BackupProgress>();
        var request = new BackupRequest([_tree.Source]) { Progress = new Collect(reports) };

        var summary = await BackupAsync(repository, request);

        // The scan runs concurrently, so it may finish after the last report of a tiny tree; if it did finish first,
        // its totals are exact.
        var withTotals = reports.Where(r => r.TotalFiles is not null).ToList();
        Assert.All(withTotals, r => Assert.Equal(_tree.Expected.Files, r.TotalFiles));
        Assert.All(withTotals, r => Assert.Equal(_tree.Expected.Bytes, r.TotalBytes));
        Assert.Equal(summary.BytesRead, reports[^1].BytesDone);
    }

    [Fact]
    public async Task BackupAsync_ScanStartedBeforeAndFinished_EveryReportCarriesItsTotalsAndTheScanIsStopped()
    {
        using var repository = await InitAsync();
        var reports = new List<BackupProgress>();
        using var scan = PreScan.Start([_tree.Source]);
        Assert.Equal((_tree.Expected.Files, _tree.Expected.Bytes), await scan.Totals);

        await BackupAsync(repository, new BackupRequest([_tree.Source]) { Progress = new Collect(reports), Scan = scan });

        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(_tree.Expected.Files, r.TotalFiles));
        Assert.All(reports, r => Assert.Equal(_tree.Expected.Bytes, r.TotalBytes));
    }

    // A changed file also changes its folder's tree and every tree above it: docs, src, and the trees of the folders
    // above src down from the root (one per component of the source's absolute path but the last, and the root's).
    private int TreeBlobsChanged => 2 + BackedUpPath.FoldersAbove(_tree.Source) + 1;

    private Task<Repo> InitAsync() => Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);

    private async Task<BackupSummary> BackupAsync(Repo repository, BackupRequest request)
    {
        var summary = await new Archiver(repository, new SnapshotCatalog(_store, repository), _time)
            .BackupAsync(request with { Hostname = request.Hostname == Environment.MachineName ? "test" : request.Hostname }, Ct);
        Assert.Empty(summary.Errors);

        return summary;
    }

    private static async Task<Dictionary<string, TreeNode>> NodesAsync(Repo repository, Ztdr.Backup.Crypto.BlobId root)
    {
        var nodes = new Dictionary<string, TreeNode>();
        await foreach (var entry in TreeWalker.WalkAsync(repository, root, cancellationToken: Ct))
        {
            nodes[entry.Path] = entry.Node ?? throw entry.Error!;
        }

        return nodes;
    }

    private async Task<List<string>> NamesAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var item in _store.ListAsync(prefix, Ct))
        {
            names.Add(item.Name);
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    private sealed class Collect(List<BackupProgress> reports) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => reports.Add(value);
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    /// <summary>What .NET cannot do by bytes or at all: create a file by raw name, make a hard link.</summary>
    private static class Posix
    {
        public static void Link(string existing, string link)
        {
            if (LinkNative(Encoding.UTF8.GetBytes(existing + "\0"), Encoding.UTF8.GetBytes(link + "\0")) != 0)
            {
                throw new IOException($"link failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        public static void Unlink(byte[] path)
        {
            if (UnlinkNative([.. path, 0]) != 0)
            {
                throw new IOException($"unlink failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        public static void WriteFile(byte[] path, ReadOnlySpan<byte> content)
        {
            const int createWriteTruncate = 0x40 | 0x1 | 0x200;
            var fd = Open([.. path, 0], createWriteTruncate, Convert.ToUInt32("644", 8));
            if (fd < 0)
            {
                throw new IOException($"open failed: errno {Marshal.GetLastPInvokeError()}");
            }

            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            RandomAccess.Write(handle, content, 0);
        }

        [DllImport("libc", EntryPoint = "link", SetLastError = true)]
        private static extern int LinkNative(byte[] existing, byte[] link);

        [DllImport("libc", EntryPoint = "unlink", SetLastError = true)]
        private static extern int UnlinkNative(byte[] path);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open(byte[] path, int flags, uint mode);
    }
}
