using System.Text;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Snapshots;

public sealed class SnapshotCatalogTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;

    public SnapshotCatalogTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task SaveAsync_ThenLoadAsync_RoundTripsSnapshotAndTree()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var catalog = new SnapshotCatalog(_store, repository);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);
        var snapshot = NewSnapshot(treeId, repository.RunRetainUntil);

        var id = await catalog.SaveAsync(snapshot, Ct);

        var loaded = await catalog.LoadAsync(id, Ct);
        Assert.Equal(snapshot.Serialize(), loaded.Serialize());
        Assert.Equal(treeId, loaded.Tree);
        var tree = await Tree.LoadAsync(repository, loaded.Tree, Ct);
        Assert.Equal(TreeGoldenTests.Sample().Serialize(), tree.Serialize());
        Assert.Equal([id], (await catalog.ListAsync(Ct)).Select(s => s.Id));
    }

    [Fact]
    public async Task SaveAsync_Always_LocksEveryDependencyAtLeastUntilSnapshotRetainUntil()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);

        // A later run in a later generation: config and key objects must be extended before the snapshot exists.
        _time.Advance(TimeSpan.FromDays(20));
        var retainUntil = repository.RunRetainUntil;
        var id = await new SnapshotCatalog(_store, repository).SaveAsync(NewSnapshot(treeId, retainUntil), Ct);

        await foreach (var item in _store.ListAsync("", Ct))
        {
            var retention = await _store.GetRetentionAsync(item.Name, Ct);
            Assert.NotNull(retention);
            if (!item.Name.StartsWith("retention/", StringComparison.Ordinal))
            {
                Assert.True(retention.RetainUntil >= retainUntil, $"{item.Name} is locked until {retention.RetainUntil}, before {retainUntil}");
            }
        }

        Assert.True(await _store.ExistsAsync(SnapshotCatalog.Name(id), Ct));
    }

    [Fact]
    public async Task SaveAsync_CoverageFails_WritesNoSnapshot()
    {
        var store = new FailingExtendStore(_store);
        using var repository = await Repo.InitAsync(store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);
        _time.Advance(TimeSpan.FromDays(20));
        var catalog = new SnapshotCatalog(store, repository);

        await Assert.ThrowsAsync<ObjectStoreException>(() => catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct));

        Assert.Empty(await catalog.ListAsync(Ct));
    }

    [Fact]
    public async Task LoadAsync_SnapshotServedUnderAnotherName_Throws()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var catalog = new SnapshotCatalog(_store, repository);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);
        var id = await catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct);
        await using var original = await _store.GetAsync(SnapshotCatalog.Name(id), cancellationToken: Ct);
        var other = ObjectId.NewRandom();
        await _store.PutNewAsync(SnapshotCatalog.Name(other), original, repository.RunRetainUntil, Ct);

        await Assert.ThrowsAsync<RepositoryFormatException>(() => catalog.LoadAsync(other, Ct));
    }

    [Fact]
    public void Serialize_FirstSnapshot_WritesVersionTwoNullParentAndFrozenFields()
    {
        var tree = new BlobId(Enumerable.Repeat((byte)0x11, 32).ToArray());
        var snapshot = NewSnapshot(tree, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(
            "{\"version\":2,\"time\":\"2026-01-01T00:00:00.0000000Z\",\"hostname\":\"web1\",\"username\":\"root\",\"paths\":[\"/etc\"],\"tags\":[],"
            + "\"tree\":\"" + tree + "\",\"parent\":null,\"retainUntil\":\"2026-02-01T00:00:00.0000000Z\",\"program\":\"ztdr 0.1.0\","
            + "\"summary\":{\"files\":1,\"dirs\":2,\"bytes\":3,\"addedBytes\":4}}",
            Encoding.UTF8.GetString(snapshot.Serialize()));
        Assert.Equal(2, Snapshot.Parse(snapshot.Serialize()).Version);
    }

    // Format 1 (root tree of last components) is still read, and written again only as itself (a copy keeps it).
    [Fact]
    public void SerializeAndParse_FormatOneSnapshot_FrozenFieldsKeepVersionOne()
    {
        var tree = new BlobId(Enumerable.Repeat((byte)0x11, 32).ToArray());
        const string json =
            "{\"version\":1,\"time\":\"2026-01-01T00:00:00.0000000Z\",\"hostname\":\"web1\",\"username\":\"root\",\"paths\":[\"/etc\"],\"tags\":[],"
            + "\"tree\":\"1111111111111111111111111111111111111111111111111111111111111111\",\"parent\":null,\"retainUntil\":\"2026-02-01T00:00:00.0000000Z\","
            + "\"program\":\"ztdr 0.1.0\",\"summary\":{\"files\":1,\"dirs\":2,\"bytes\":3,\"addedBytes\":4}}";

        var parsed = Snapshot.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(1, parsed.Version);
        Assert.Equal(tree, parsed.Tree);
        Assert.Equal(["/etc"], parsed.Paths);
        Assert.Equal(json, Encoding.UTF8.GetString(parsed.Serialize()));
        Assert.Equal(json, Encoding.UTF8.GetString((NewSnapshot(tree, new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)) with { Version = 1 }).Serialize()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Parse_VersionNotRead_Throws(int version)
    {
        var json = Encoding.UTF8.GetString(NewSnapshot(new BlobId(new byte[32]), _time.GetUtcNow()).Serialize()).Replace("\"version\":2", $"\"version\":{version}", StringComparison.Ordinal);

        var ex = Assert.Throws<RepositoryFormatException>(() => Snapshot.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("versions 1 to 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_LatestOrUniquePrefix_FindsSnapshot()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var catalog = new SnapshotCatalog(_store, repository);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);
        var first = await catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct);
        _time.Advance(TimeSpan.FromHours(1));
        var second = await catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct);

        Assert.Equal(second, (await catalog.ResolveAsync(SnapshotCatalog.Latest, Ct)).Id);
        Assert.Equal(first, (await catalog.ResolveAsync(first.ToString()[..12], Ct)).Id);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => catalog.ResolveAsync("abc", Ct));
    }

    [Fact]
    public async Task ResolveAsync_EmptyRepository_ThrowsNotFound()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new SnapshotCatalog(_store, repository).ResolveAsync(SnapshotCatalog.Latest, Ct));
    }

    [Fact]
    public async Task ForgetAsync_WritesOneLockedMarker_HidesSnapshotFromListAndResolve()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var catalog = new SnapshotCatalog(_store, repository);
        var treeId = await TreeGoldenTests.Sample().SaveAsync(repository, Ct);
        var first = await catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct);
        _time.Advance(TimeSpan.FromHours(1));
        var second = await catalog.SaveAsync(NewSnapshot(treeId, repository.RunRetainUntil), Ct);
        var objectsBefore = await CountAsync("");

        var markerId = await catalog.ForgetAsync([second], _time.GetUtcNow(), Ct);

        Assert.NotNull(markerId);
        Assert.Equal(objectsBefore + 1, await CountAsync(""));
        Assert.Equal(1, await CountAsync(ForgottenMarker.Prefix));
        var retention = await _store.GetRetentionAsync(ForgottenMarker.Name(markerId.Value), Ct);
        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, repository.RunRetainUntil), retention);
        Assert.True(await _store.ExistsAsync(SnapshotCatalog.Name(second), Ct), "forget never deletes");

        Assert.Equal([first], (await catalog.ListAsync(Ct)).Select(s => s.Id));
        Assert.Equal([first, second], (await catalog.ListAsync(includeForgotten: true, Ct)).Select(s => s.Id));
        Assert.Equal(first, (await catalog.ResolveAsync(SnapshotCatalog.Latest, Ct)).Id);
        var hidden = await Assert.ThrowsAsync<KeyNotFoundException>(() => catalog.ResolveAsync(second.ToString()[..12], Ct));
        Assert.Contains("forgotten", hidden.Message, StringComparison.Ordinal);
        Assert.Equal(second, (await catalog.ResolveAsync(second.ToString()[..12], includeForgotten: true, Ct)).Id);
    }

    [Fact]
    public async Task ForgetAsync_AlreadyForgotten_WritesNothing()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var catalog = new SnapshotCatalog(_store, repository);
        var id = await catalog.SaveAsync(NewSnapshot(await TreeGoldenTests.Sample().SaveAsync(repository, Ct), repository.RunRetainUntil), Ct);
        await catalog.ForgetAsync([id], _time.GetUtcNow(), Ct);

        Assert.Null(await catalog.ForgetAsync([id], _time.GetUtcNow(), Ct));
        Assert.Equal(1, await CountAsync(ForgottenMarker.Prefix));
        Assert.Equal([id], Assert.Single(await catalog.ListMarkersAsync(Ct)).Marker.Snapshots);
    }

    [Fact]
    public void ForgottenMarker_Serialize_FrozenJson()
    {
        var id = new ObjectId(Enumerable.Repeat((byte)0x22, 32).ToArray());
        var marker = new ForgottenMarker(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), [id]);

        var json = Encoding.UTF8.GetString(marker.Serialize());

        Assert.Equal("{\"version\":1,\"time\":\"2026-01-02T03:04:05.0000000Z\",\"snapshots\":[\"" + id + "\"]}", json);
        Assert.Equal(marker.Snapshots, ForgottenMarker.Parse(Encoding.UTF8.GetBytes(json)).Snapshots);
    }

    private async Task<int> CountAsync(string prefix)
    {
        var count = 0;
        await foreach (var item in _store.ListAsync(prefix, Ct))
        {
            count++;
        }

        return count;
    }

    private Snapshot NewSnapshot(BlobId tree, DateTimeOffset retainUntil) =>
        new(_time.GetUtcNow(), "web1", "root", ["/etc"], [], tree, null, retainUntil, "ztdr 0.1.0", new SnapshotSummary(1, 2, 3, 4));
}
