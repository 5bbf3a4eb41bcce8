using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Copying;

/// <summary><c>copy --dry-run</c>: what a copy would read, found by walking trees only.</summary>
internal sealed partial class Copier
{
    /// <summary>
    /// What <see cref="CopyAsync"/> would copy, reading only trees and writing nothing: no recovery of interrupted
    /// uploads either (that writes an index object), so blobs only such packs hold count as still to read.
    /// </summary>
    public async Task<CopyPlan> PlanAsync(IReadOnlyList<(ObjectId Id, Snapshot Snapshot)>? selection, CancellationToken cancellationToken)
    {
        var wanted = selection ?? await sourceCatalog.ListAsync(cancellationToken);
        var copiedAlready = await CopiedSourceIdsAsync(cancellationToken);
        await LearnEarlierCopiesAsync(copiedAlready, cancellationToken);

        var toCopy = wanted.Where(w => !copiedAlready.ContainsKey(w.Id)).ToList();
        var toRead = new HashSet<BlobId>();
        var seen = new HashSet<BlobId>();
        long bytes = 0;
        foreach (var (_, snapshot) in toCopy)
        {
            var pending = new Stack<BlobId>([snapshot.Tree]);
            while (pending.TryPop(out var treeId))
            {
                if (!seen.Add(treeId) || _earlier.ContainsKey(treeId))
                {
                    continue;
                }

                var tree = await Tree.LoadAsync(source, treeId, cancellationToken);
                bytes += Add(toRead, treeId);
                foreach (var node in tree.Nodes)
                {
                    foreach (var blob in node.Content ?? [])
                    {
                        if (!_earlier.ContainsKey(blob))
                        {
                            bytes += Add(toRead, blob);
                        }
                    }

                    if (node.Subtree is { } subtree)
                    {
                        pending.Push(subtree);
                    }
                }
            }
        }

        return new CopyPlan([.. toCopy.Select(w => w.Id)], [.. wanted.Where(w => copiedAlready.ContainsKey(w.Id)).Select(w => w.Id)], toRead.Count, bytes);

        long Add(HashSet<BlobId> set, BlobId id) => set.Add(id) && source.TryLocate(id, out var location) ? location.Entry.RawLength : 0;
    }
}
