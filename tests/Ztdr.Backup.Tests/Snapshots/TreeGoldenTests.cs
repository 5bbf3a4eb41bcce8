using System.Text;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Tests.Snapshots;

/// <summary>Freezes the tree JSON of repository-format.md § 9.4. A failure means a new format version, never an edited expectation.</summary>
public sealed class TreeGoldenTests
{
    private static readonly BlobId A = new(Enumerable.Repeat((byte)0xaa, 32).ToArray());
    private static readonly BlobId B = new(Enumerable.Repeat((byte)0xbb, 32).ToArray());

    internal static Tree Sample() => new(
    [
        new TreeNode { Name = "c", Type = NodeType.Symlink, Mode = 511, Uid = 0, Gid = 0, MtimeNs = 3, CtimeNs = 4, Inode = 9, Device = 2049, Links = 1, LinkTarget = "a.txt" },
        new TreeNode { Name = "b", Type = NodeType.Dir, Mode = 493, Uid = 1000, Gid = 1000, MtimeNs = 1767225600000000000, CtimeNs = 1767225600000000001, Inode = 8, Device = 2049, Links = 2, Subtree = B },
        new TreeNode { Name = "a.txt", Type = NodeType.File, Mode = 420, Uid = 1000, Gid = 1000, MtimeNs = 1767225600000000000, CtimeNs = 1767225600000000000, Inode = 1234, Device = 2049, Links = 1, Size = 5, Content = [A, B] },
        new TreeNode { Name = "e", Type = NodeType.File, Mode = 384, MtimeNs = 0, Size = 0, Content = [] },
    ]);

    [Fact]
    public void Serialize_SampleTree_IsFrozenJson()
    {
        var json = Encoding.UTF8.GetString(Sample().Serialize());

        Assert.Equal(
            "{\"nodes\":["
            + "{\"name\":\"a.txt\",\"type\":\"file\",\"mode\":420,\"uid\":1000,\"gid\":1000,\"mtimeNs\":1767225600000000000,\"ctimeNs\":1767225600000000000,\"inode\":1234,\"device\":2049,\"links\":1,\"size\":5,\"content\":[\"" + A + "\",\"" + B + "\"]},"
            + "{\"name\":\"b\",\"type\":\"dir\",\"mode\":493,\"uid\":1000,\"gid\":1000,\"mtimeNs\":1767225600000000000,\"ctimeNs\":1767225600000000001,\"inode\":8,\"device\":2049,\"links\":2,\"subtree\":\"" + B + "\"},"
            + "{\"name\":\"c\",\"type\":\"symlink\",\"mode\":511,\"uid\":0,\"gid\":0,\"mtimeNs\":3,\"ctimeNs\":4,\"inode\":9,\"device\":2049,\"links\":1,\"linkTarget\":\"a.txt\"},"
            + "{\"name\":\"e\",\"type\":\"file\",\"mode\":384,\"mtimeNs\":0,\"size\":0,\"content\":[]}"
            + "]}",
            json);
    }

    [Fact]
    public void Parse_SerializedTree_RoundTrips()
    {
        var tree = Sample();

        var parsed = Tree.Parse(tree.Serialize());

        Assert.Equal(tree.Serialize(), parsed.Serialize());
        Assert.Equal(["a.txt", "b", "c", "e"], parsed.Nodes.Select(n => n.Name));
        Assert.Equal([A, B], parsed.Nodes[0].Content!);
    }

    [Fact]
    public void Constructor_NamesOutsideBmp_SortsByUtf8Bytes()
    {
        // UTF-16 ordinal puts U+1F600 (surrogates D83D…) before U+FF21; UTF-8 bytes (F0… vs EF…) put it after.
        var tree = new Tree([Node("\U0001F600"), Node("\uFF21")]);

        Assert.Equal(["\uFF21", "\U0001F600"], tree.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Constructor_DuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Tree([Node("x"), Node("x")]));
    }

    [Fact]
    public void Parse_NotJson_ThrowsFormatException()
    {
        Assert.Throws<RepositoryFormatException>(() => Tree.Parse("{nodes"u8));
    }

    [Fact]
    public void Serialize_NameNotUtf8_IsFrozenAsNameRawBase64SortedByBytes()
    {
        // 0xff never occurs in UTF-8; 'b' (0x62) sorts before it, 0xc3 0xa9 ("é") too.
        var raw = TreeNode.Named([0x61, 0xff], NodeType.File) with { Size = 0, Content = [] };
        var tree = new Tree([raw, Node("\u00e9"), Node("b")]);

        var json = Encoding.UTF8.GetString(tree.Serialize());

        Assert.Null(raw.Name);
        Assert.Equal(
            "{\"nodes\":["
            + "{\"nameRaw\":\"Yf8=\",\"type\":\"file\",\"mode\":0,\"mtimeNs\":0,\"size\":0,\"content\":[]},"
            + "{\"name\":\"b\",\"type\":\"file\",\"mode\":0,\"mtimeNs\":0,\"size\":0,\"content\":[]},"
            + "{\"name\":\"\\u00E9\",\"type\":\"file\",\"mode\":0,\"mtimeNs\":0,\"size\":0,\"content\":[]}"
            + "]}",
            json);
        Assert.Equal([0x61, 0xff], Tree.Parse(tree.Serialize()).Nodes[0].NameBytes);
    }

    [Fact]
    public void Named_ValidUtf8_UsesName()
    {
        var node = TreeNode.Named("caf\u00e9"u8, NodeType.Dir);

        Assert.Equal("caf\u00e9", node.Name);
        Assert.Null(node.NameRaw);
    }

    [Fact]
    public void Parse_NameRawThatIsUtf8_ThrowsFormatException()
    {
        // One name, one JSON form: otherwise the same folder could serialize two ways and stop deduplicating.
        Assert.Throws<RepositoryFormatException>(() => Tree.Parse("{\"nodes\":[{\"nameRaw\":\"YQ==\",\"type\":\"file\"}]}"u8));
    }

    [Fact]
    public void Parse_NodeWithBothNames_ThrowsFormatException()
    {
        Assert.Throws<RepositoryFormatException>(() => Tree.Parse("{\"nodes\":[{\"name\":\"a\",\"nameRaw\":\"Yf8=\",\"type\":\"file\"}]}"u8));
    }

    [Fact]
    public void Constructor_SameBytesAsRawAndDuplicate_Throws()
    {
        byte[] bytes = [0x61, 0xff];

        Assert.Throws<ArgumentException>(() => new Tree([TreeNode.Named(bytes, NodeType.File), TreeNode.Named(bytes, NodeType.Dir)]));
    }

    private static TreeNode Node(string name) => new() { Name = name, Type = NodeType.File, Size = 0, Content = [] };
}
