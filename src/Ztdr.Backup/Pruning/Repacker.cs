using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Pruning;

/// <summary>
/// Copies the blobs kept snapshots still need out of partly used packs into new packs, so prune can then delete the
/// old packs whole. Each blob is loaded through the index (authenticated, its id re-checked), re-sealed under the new
/// pack's key and uploaded COMPLIANCE-locked until the run's generation — at least as long as any existing snapshot
/// (§ 11), so lock coverage holds for the copies. Data and tree blobs go to separate packs, as backups write them.
/// </summary>
internal sealed class Repacker(IObjectStore store, Repository.Repository repository)
{
    /// <summary>Copies every blob of <paramref name="packs"/> that is in <paramref name="keep"/> and that the index finds in that pack; returns the new packs.</summary>
    public async Task<IReadOnlyList<IndexedPack>> RepackAsync(IReadOnlyList<IndexedPack> packs, IReadOnlySet<BlobId> keep, CancellationToken cancellationToken)
    {
        var writers = new Dictionary<BlobType, PackWriter>();
        var written = new List<IndexedPack>();
        var copied = new HashSet<BlobId>();
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        try
        {
            foreach (var pack in packs)
            {
                foreach (var entry in pack.Entries)
                {
                    // A blob the index finds in another pack is read from there; that pack stays or is repacked itself.
                    if (!keep.Contains(entry.Id) || !copied.Add(entry.Id)
                        || !repository.Index.TryGet(entry.Id, out var location) || location.PackId != pack.PackId)
                    {
                        continue;
                    }

                    var plaintext = await repository.LoadBlobAsync(entry.Id, cancellationToken);
                    if (!writers.TryGetValue(entry.Type, out var writer))
                    {
                        writer = new PackWriter(repository.Keys, ObjectId.NewRandom(), repository.Config.PackTargetSize, System.Security.Cryptography.RandomNumberGenerator.Fill);
                        writers[entry.Type] = writer;
                    }

                    writer.Add(entry.Type, entry.Id, plaintext, compressor);
                    if (writer.IsFull)
                    {
                        writers.Remove(entry.Type);
                        written.Add(await UploadAsync(writer, compressor, cancellationToken));
                    }
                }
            }

            foreach (var type in writers.Keys.ToList())
            {
                var writer = writers[type];
                writers.Remove(type);
                written.Add(await UploadAsync(writer, compressor, cancellationToken));
            }

            return written;
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                writer.Dispose();
            }
        }
    }

    private async Task<IndexedPack> UploadAsync(PackWriter writer, BlobCompressor compressor, CancellationToken cancellationToken)
    {
        using (writer)
        {
            var bytes = writer.FinishInPlace(compressor);
            var retainUntil = repository.RunRetainUntil;
            await store.PutNewAsync(RepositoryObjectNames.Pack(writer.Id), bytes, retainUntil, cancellationToken);
            return new IndexedPack(writer.Id, retainUntil, [.. writer.Entries]);
        }
    }
}
