using Ztdr.Backup.Restoring;

namespace Ztdr.Backup.Tests.Restoring;

public sealed class PathPatternTests
{
    [Theory]
    [InlineData("a.txt", "a.txt", true)]
    [InlineData("a.txt", "x/y/a.txt", true)]
    [InlineData("/a.txt", "x/a.txt", false)]
    [InlineData("/a.txt", "a.txt", true)]
    [InlineData("*.txt", "docs/note.txt", true)]
    [InlineData("*.txt", "docs/note.txt.bak", false)]
    [InlineData("/docs", "docs/deep/file", true)]
    [InlineData("/docs", "docs", true)]
    [InlineData("/docs", "other/docs", false)]
    [InlineData("docs", "other/docs/file", true)]
    [InlineData("/docs/*", "docs/a/b", true)]
    [InlineData("/docs/*", "docs", false)]
    [InlineData("/docs/**/x", "docs/x", true)]
    [InlineData("/docs/**/x", "docs/a/b/x", true)]
    [InlineData("/docs/**/x", "docs/a/b/y", false)]
    [InlineData("/**/x", "a/x", true)]
    [InlineData("note-?.txt", "docs/note-3.txt", true)]
    [InlineData("note-?.txt", "docs/note-13.txt", false)]
    [InlineData("/src/d*s/deep", "src/docs/deep/f", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("/", "anything/at/all", true)]
    [InlineData("docs/", "docs/file", true)]
    public void Matches_PathAndPattern(string pattern, string path, bool expected) =>
        Assert.Equal(expected, PathPattern.Parse(pattern).Matches(path.Split('/')));

    [Theory]
    [InlineData("/docs/deep/x", "docs", true)]
    [InlineData("/docs/deep/x", "docs/deep", true)]
    [InlineData("/docs/deep/x", "other", false)]
    [InlineData("/docs/deep/x", "docs/shallow", false)]
    [InlineData("/d*/**/x", "docs/a/b", true)]
    [InlineData("x", "any/folder", true)]
    public void MayMatchBelow_Folder(string pattern, string folder, bool expected) =>
        Assert.Equal(expected, PathPattern.Parse(pattern).MayMatchBelow(folder.Split('/')));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("../etc")]
    [InlineData("/a/./b")]
    public void Parse_EmptyOrClimbing_IsRefused(string pattern) =>
        Assert.Throws<ArgumentException>(() => PathPattern.Parse(pattern));

    [Fact]
    public void Decide_ExcludeWinsOverInclude_AndUnmatchedFolderIsLookedInto()
    {
        var filter = new RestoreFilter(["/src/docs"], ["*.bak"]);

        Assert.Equal(FilterDecision.Restore, filter.Decide(["src", "docs", "a.txt"], isFolder: false));
        Assert.Equal(FilterDecision.Skip, filter.Decide(["src", "docs", "a.bak"], isFolder: false));
        Assert.Equal(FilterDecision.LookInside, filter.Decide(["src"], isFolder: true));
        Assert.Equal(FilterDecision.Skip, filter.Decide(["src", "big.bin"], isFolder: false));
        Assert.Equal(FilterDecision.Skip, filter.Decide(["other"], isFolder: true));
    }
}
