using Ztdr.Backup.Archiving;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>The trie of backed-up paths that shapes a format 2 root tree; "/" is tested here, as backing it up for real is too big.</summary>
public sealed class BackupTargetsTests
{
    [Fact]
    public void Build_Slash_RootIsTheOnlyTarget()
    {
        var targets = BackupTargets.Build(["/"]);

        Assert.True(targets.Root.IsTarget);
        Assert.Empty(targets.Root.Children);
        Assert.Equal([("/", targets.Root)], targets.Targets);
        Assert.Equal(["/"], targets.Paths);
    }

    [Fact]
    public void Build_SlashAndAPathInsideIt_SlashCoversIt()
    {
        var targets = BackupTargets.Build(["/etc", "/"]);

        Assert.True(targets.Root.IsTarget);
        Assert.Empty(targets.Root.Children);
        Assert.Equal(["/"], targets.Targets.Select(t => t.Given));
        Assert.Equal(["/etc", "/"], targets.Paths);
    }

    [Fact]
    public void Build_TwoPathsWithSameLastComponent_TwoBranches()
    {
        var targets = BackupTargets.Build(["/x/etc", "/y/etc"]);

        Assert.False(targets.Root.IsTarget);
        Assert.Equal(["x", "y"], targets.Root.Children.Select(c => c.Name));
        Assert.All(targets.Root.Children, c => Assert.False(c.IsTarget));
        var etcs = targets.Root.Children.Select(c => Assert.Single(c.Children)).ToList();
        Assert.Equal(["/x/etc", "/y/etc"], etcs.Select(e => e.FullPath));
        Assert.All(etcs, e => Assert.True(e.IsTarget));
        Assert.Equal(etcs, targets.Targets.Select(t => t.Node));
    }

    [Fact]
    public void Build_InnerPathsGivenFirstOrTwice_OuterPathCoversThem()
    {
        var targets = BackupTargets.Build(["/a/b/c", "/a", "/a/b", "/a"]);

        var a = Assert.Single(targets.Root.Children);
        Assert.True(a.IsTarget);
        Assert.Empty(a.Children);
        Assert.Equal([("/a", a)], targets.Targets);
        Assert.Equal(["/a/b/c", "/a", "/a/b"], targets.Paths);
    }

    [Fact]
    public void Build_ChildrenOfAFolder_InTreeOrder()
    {
        var targets = BackupTargets.Build(["/b/z", "/b/a", "/a", "/b/Z"]);

        Assert.Equal(["a", "b"], targets.Root.Children.Select(c => c.Name));
        Assert.Equal(["Z", "a", "z"], targets.Root.Children.Last().Children.Select(c => c.Name));
    }

    [Fact]
    public void Build_RelativeTrailingSlashAndDotDot_MadeAbsoluteAndNormal()
    {
        var targets = BackupTargets.Build(["rel/", "/a/b/../c/"]);

        Assert.Equal([Path.GetFullPath("rel"), "/a/c"], targets.Paths);
        Assert.Equal([Path.GetFullPath("rel"), "/a/c"], targets.Targets.Select(t => t.Node.FullPath));
    }

    [Fact]
    public void Build_NoPaths_Throws() => Assert.Throws<ArgumentException>(() => BackupTargets.Build([]));
}
