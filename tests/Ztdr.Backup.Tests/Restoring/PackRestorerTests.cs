using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;
using RepositoryObjectNames = Ztdr.Backup.Repository.RepositoryObjectNames;

namespace Ztdr.Backup.Tests.Restoring;

/// <summary>File content restored pack by pack: requests per pack, blobs opened once, handles evicted and reopened, damage.</summary>
public sealed class PackRestorerTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ObservedStore _store;
    private readonly TemporaryDirectory _directory = new("pack-restorer");
    private readonly Dictionary<BlobId, byte[]> _contents = [];

    public PackRestorerTests() => _store = new ObservedStore(new MemoryObjectStore(_time));

    private static CancellationToken Ct => CancellationToken.None;

    private string Target => _directory.Combine("restored");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RestoreAsync_BlobsSharedAcrossAndWithinFiles_EachBlobOpenedOnceEachPackReadOnceFilesExact()
    {
        var random = new Random(11);
        List<BlobId[]> files;
        using (var writer = await InitAsync())
        {
            var blobs = await SaveAsync(writer, count: 60, random, minLength: 100, maxLength: 6000);
            files = [.. Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, random.Next(1, 7)).Select(_ => blobs[random.Next(20)]).ToArray())];
            files.Add([blobs[30], blobs[31], blobs[30], blobs[30]]);
            files.Add([blobs[31], blobs[40]]);
            files.Add([]);
        }

        var restorer = await RestoreAsync(files, workers: 4);

        AssertFilesExact(files);
        Assert.Equal(files.SelectMany(f => f).Distinct().Count(), restorer.BlobsOpened);
        var packReads = _store.Gets.Where(g => g.Key.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(1, restorer.Packs);
        Assert.Equal(1, Assert.Single(packReads).Value);
        Assert.Equal(1, restorer.Requests);
        AssertNoTemporaryFiles();
    }

    [Theory]
    [InlineData(new[] { 0, 2 }, 2)] // a 2 MiB gap: cheaper to skip than to read
    [InlineData(new[] { 0, 1, 2 }, 1)]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, 2)] // 10 MiB: past one window
    [InlineData(new[] { 4, 3, 2, 1, 0, 0, 4 }, 2)] // files in reverse pack order read the same windows
    public async Task RestoreAsync_NeededBlobsOfOnePack_OneRequestPerWindow(int[] used, int requests)
    {
        List<BlobId[]> files;
        using (var writer = await InitAsync())
        {
            // Random bytes stay their size compressed: five 2 MiB blobs in one 16 MiB pack.
            var blobs = await SaveAsync(writer, count: 5, new Random(3), minLength: 2 * MiB, maxLength: 2 * MiB);
            files = [.. used.Select(i => new[] { blobs[i] })];
        }

        var restorer = await RestoreAsync(files, workers: 2);

        AssertFilesExact(files);
        Assert.Equal(requests, restorer.Requests);
        Assert.Equal(requests, _store.Gets.Where(g => g.Key.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal)).Sum(g => g.Value));
        Assert.Equal(used.Distinct().Count(), restorer.BlobsOpened);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)] // writers hold more handles than the cap at times; idle ones are still closed and reopened
    public async Task RestoreAsync_FilesSpanningPacksWithTwoHandles_ClosesReopensAndRestoresExact(int workers)
    {
        var random = new Random(5);
        List<BlobId[]> files;
        using (var writer = await InitAsync())
        {
            // Every file's first half in one pack, its second half in the next: all are partly written after the first.
            var firsts = await SaveAsync(writer, count: 12, random, minLength: 1000, maxLength: 3000);
            await writer.FlushAsync(Ct);
            var seconds = await SaveAsync(writer, count: 12, random, minLength: 1000, maxLength: 3000);
            files = [.. firsts.Zip(seconds, (a, b) => new[] { a, b, a })];
        }

        var restorer = await RestoreAsync(files, workers, maxOpenFiles: 2);

        AssertFilesExact(files);
        Assert.Equal(2, restorer.Packs);
        Assert.Equal(2, restorer.Requests);
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task RestoreTreeAsync_TamperedBlobInMiddleOfPack_FailsAndLeavesNoPartialOrTemporaryFile()
    {
        var random = new Random(9);
        BlobId tree;
        BlobId damaged;
        using (var writer = await InitAsync())
        {
            var blobs = await SaveAsync(writer, count: 41, random, minLength: 1000, maxLength: 50_000);
            damaged = blobs[20];
            List<BlobId[]> files = [.. blobs.Select(b => new[] { b }), [blobs[0], damaged, blobs[40]], [damaged]];
            tree = await SaveTreeAsync(writer, files);
        }

        var tampered = await CopyWithFlippedByteAsync(damaged);
        using var repository = await Repo.OpenAsync(tampered, "secret", _time, Ct);

        await Assert.ThrowsAsync<CryptographicIntegrityException>(() => new Restorer(repository).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct));

        // Files finished before the damaged blob waited under temporary names for their group: removed with the rest.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    private async Task<Repo> InitAsync() =>
        await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);

    private async Task<List<BlobId>> SaveAsync(Repo repository, int count, Random random, int minLength, int maxLength)
    {
        var ids = new List<BlobId>();
        for (var i = 0; i < count; i++)
        {
            var content = new byte[random.Next(minLength, maxLength + 1)];
            random.NextBytes(content);
            var id = await repository.SaveBlobAsync(BlobType.Data, content, Ct);
            _contents[id] = content;
            ids.Add(id);
        }

        await repository.FlushAsync(Ct);
        return ids;
    }

    private async Task<BlobId> SaveTreeAsync(Repo repository, List<BlobId[]> files)
    {
        var nodes = files.Select((content, i) => new TreeNode
        {
            Name = Name(i),
            Type = NodeType.File,
            Mode = 420,
            MtimeNs = 1_000_000_000L * (i + 1),
            Size = content.Sum(id => (long)_contents[id].Length),
            Content = [.. content],
        });
        var tree = await new Tree([.. nodes]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);
        return tree;
    }

    // Saves the files' tree, then restores it from a fresh session with a PackRestorer alone (counting only its reads).
    private async Task<PackRestorer> RestoreAsync(List<BlobId[]> files, int workers, int maxOpenFiles = OpenFiles.DefaultCapacity)
    {
        BlobId tree;
        using (var writer = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            tree = await SaveTreeAsync(writer, files);
        }

        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var plan = await RestorePlan.BuildAsync(repository, tree, Target, targetExists: false, RestoreFilter.All, overwrite: false, Ct);
        Directory.CreateDirectory(Target);
        var restorer = new PackRestorer(repository, plan.Files, TempPath, maxOpenFiles);
        _store.ResetCounts();
        using (var renames = new DurableRenames(PosixWriter.PathOf(Target), replace: false, _ => { }))
        {
            await restorer.RestoreAsync(workers, renames, setOwners: false, _ => { }, Ct);
            renames.Flush();
        }

        return restorer;
    }

    private static string Name(int i) => $"file-{i:D3}";

    private static byte[] TempPath(byte[] folder) =>
        PosixWriter.Join(folder, Encoding.ASCII.GetBytes("." + Guid.NewGuid().ToString("N")[..12] + ".ztdr-restore"));

    private void AssertFilesExact(List<BlobId[]> files)
    {
        for (var i = 0; i < files.Count; i++)
        {
            var expected = files[i].SelectMany(id => _contents[id]).ToArray();
            var path = Path.Combine(Target, Name(i));
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"content of {path}");
            Assert.Equal(1_000_000_000L * (i + 1), FileMetadata.Read(path).MtimeNs);
            Assert.Equal(420u, FileMetadata.Read(path).Mode);
        }

        Assert.Equal(files.Count, Directory.EnumerateFileSystemEntries(Target).Count());
    }

    private void AssertNoTemporaryFiles() =>
        Assert.Empty(Directory.EnumerateFileSystemEntries(Target, "*ztdr-restore*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }));

    // A copy of the store where one byte in the middle of blob <paramref name="id"/>'s sealed unit is flipped.
    private async Task<MemoryObjectStore> CopyWithFlippedByteAsync(BlobId id)
    {
        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        Assert.True(repository.TryLocate(id, out var location));
        var pack = RepositoryObjectNames.Pack(location.PackId);
        return await StoreCopy.CopyAsync(_store, _time, (name, data) =>
        {
            if (name == pack)
            {
                data[location.Entry.Offset + (location.Entry.SealedLength / 2)] ^= 0x20;
            }

            return data;
        }, cancellationToken: Ct);
    }
}
