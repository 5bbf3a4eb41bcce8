using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Snapshots;

public sealed class TreeWalkerTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task WalkAsync_NestedTrees_YieldsFolderBeforeContentsWithPaths()
    {
        using var repository = await Repo.InitAsync(new MemoryObjectStore(_time), "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var inner = await new Tree([File("x"), File("y")]).SaveAsync(repository, Ct);
        var root = await new Tree([File("b"), Dir("a", inner), TreeNode.Named([0x7a, 0xff], NodeType.File) with { Size = 0, Content = [] }]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        var paths = await TreeWalker.WalkAsync(repository, root, cancellationToken: Ct).Select(e => e.Path).ToListAsync(Ct);

        Assert.Equal(["a", "a/x", "a/y", "b", "z\uFFFD"], paths);
    }

    [Fact]
    public async Task WalkAsync_SeenTrees_DescendsIntoEachDistinctTreeOnce()
    {
        using var repository = await Repo.InitAsync(new MemoryObjectStore(_time), "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var shared = await new Tree([File("x")]).SaveAsync(repository, Ct);
        var root = await new Tree([Dir("a", shared), Dir("b", shared)]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        var paths = await TreeWalker.WalkAsync(repository, root, [], Ct).Select(e => e.Path).ToListAsync(Ct);

        Assert.Equal(["a", "a/x", "b"], paths);
    }

    [Fact]
    public async Task WalkAsync_MissingSubtree_YieldsErrorForThatFolderAndGoesOn()
    {
        using var repository = await Repo.InitAsync(new MemoryObjectStore(_time), "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var missing = new BlobId(new byte[32]);
        var root = await new Tree([Dir("a", missing), File("b")]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        var entries = await TreeWalker.WalkAsync(repository, root, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["a", "a", "b"], entries.Select(e => e.Path));
        Assert.Null(entries[1].Node);
        Assert.Equal(missing, entries[1].Tree);
        Assert.IsType<KeyNotFoundException>(entries[1].Error);
    }

    private static TreeNode File(string name) => new() { Name = name, Type = NodeType.File, Size = 0, Content = [] };

    private static TreeNode Dir(string name, BlobId subtree) => new() { Name = name, Type = NodeType.Dir, Subtree = subtree };
}
