using System.Text;
using System.Text.Json;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// One directory as a tree blob (repository-format.md § 9.4): its nodes sorted by the ordinal order of the UTF-8 bytes
/// of their names, names unique. The sort makes the JSON, and so the blob id, a function of the directory alone, which
/// is what lets an unchanged directory deduplicate.
/// </summary>
internal sealed class Tree
{
    /// <summary>§ 9.4: a tree blob is at most 128 MiB of JSON.</summary>
    public const int MaxJsonLength = 128 * 1024 * 1024;

    public Tree(IEnumerable<TreeNode> nodes)
    {
        var keyed = nodes.Select(n => (Bytes: CheckName(n), Node: n)).ToList();
        keyed.Sort((a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        for (var i = 1; i < keyed.Count; i++)
        {
            if (keyed[i - 1].Bytes.AsSpan().SequenceEqual(keyed[i].Bytes))
            {
                throw new ArgumentException($"A tree holds the name '{keyed[i].Node.DisplayName}' twice.", nameof(nodes));
            }
        }

        Nodes = [.. keyed.Select(k => k.Node)];
    }

    public IReadOnlyList<TreeNode> Nodes { get; }

    // Exactly one of name / nameRaw, and nameRaw only for bytes that are not UTF-8, so each name has one JSON form and
    // an unchanged folder always serializes (and deduplicates) the same way.
    private static byte[] CheckName(TreeNode node) => (node.Name, node.NameRaw) switch
    {
        ({ Length: > 0 } name, null) => System.Text.Encoding.UTF8.GetBytes(name),
        (null, { Length: > 0 } raw) when !TreeNode.IsValidUtf8(raw) => raw,
        (null, { Length: > 0 }) => throw new ArgumentException("A tree node has a nameRaw that is valid UTF-8; such names are written as name.", nameof(node)),
        _ => throw new ArgumentException("A tree node needs exactly one non-empty name or nameRaw.", nameof(node)),
    };

    public static int CompareNames(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(new TreeDocument { Nodes = [.. Nodes] }, SnapshotJsonContext.Default.TreeDocument);

    public static Tree Parse(ReadOnlySpan<byte> json)
    {
        TreeDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, SnapshotJsonContext.Default.TreeDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("A tree blob is not valid tree JSON.", ex);
        }

        if (document?.Nodes is not { } nodes || nodes.Any(n => n is null))
        {
            throw new RepositoryFormatException("A tree blob has no node list, or an empty node.");
        }

        try
        {
            return new Tree(nodes);
        }
        catch (ArgumentException ex)
        {
            throw new RepositoryFormatException(ex.Message, ex);
        }
    }

    /// <summary>Saves this tree as a tree blob (deduplicated like any blob); returns its id.</summary>
    public Task<BlobId> SaveAsync(Repository.Repository repository, CancellationToken cancellationToken) =>
        repository.SaveBlobAsync(BlobType.Tree, Serialize(), cancellationToken);

    /// <summary>Loads and authenticates a tree blob.</summary>
    public static async Task<Tree> LoadAsync(Repository.Repository repository, BlobId id, CancellationToken cancellationToken) =>
        Parse(await repository.LoadBlobAsync(id, cancellationToken));
}

internal sealed class TreeDocument
{
    public List<TreeNode>? Nodes { get; set; }
}
