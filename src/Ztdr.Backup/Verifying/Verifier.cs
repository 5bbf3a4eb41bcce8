using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// <c>ztdr verify</c>: proves a repository restorable, or names what is not. Structure (every snapshot readable, every
/// referenced blob indexed, every indexed pack stored and long enough), lock coverage against what storage reports,
/// and with <see cref="VerifyOptions.ReadData"/> every byte of the chosen packs downloaded and authenticated. Each
/// finding names the snapshots and paths it breaks. <paramref name="store"/> must be the store
/// <paramref name="repository"/> was opened on.
/// </summary>
/// <remarks>
/// Damage is reported, not thrown: a verify that stopped at the first bad pack would hide the second. Failures that
/// make the whole check meaningless (storage unavailable, access denied, cancellation) still end the run.
/// </remarks>
internal sealed class Verifier(IObjectStore store, Repository.Repository repository, SnapshotCatalog catalog)
{
    public async Task<VerifyReport> VerifyAsync(VerifyOptions options, CancellationToken cancellationToken)
    {
        var progress = new ProgressRelay(options.Progress);
        var findings = new FindingSet(options.MaxPathsPerFinding);
        var warnings = new List<string>();
        var index = repository.Index;

        var stored = await ListPacksAsync(cancellationToken);
        var snapshots = await LoadSnapshotsAsync(findings, progress, cancellationToken);
        var faultyPacks = await CheckPacksStoredAsync(index, stored, findings, cancellationToken);

        var graph = await ReferenceGraph.BuildAsync(repository, snapshots, findings, trees => progress.Report("trees", trees, 0), cancellationToken);

        foreach (var damaged in repository.DamagedIndexObjects)
        {
            // Derived data: what it listed shows up below as unindexed blobs naming their snapshots and files.
            warnings.Add($"index object {damaged}; skipped (a backup or copy re-indexes its packs from their trailers)");
        }

        var lockChecked = store.Capabilities.Immutable;
        if (lockChecked)
        {
            await LockCoverageCheck.CheckAsync(
                store, repository, snapshots, graph.PackRequirement, faultyPacks, findings, options, (done, total) => progress.Report("locks", done, total), cancellationToken);
        }
        else
        {
            // A folder records retention but cannot enforce it: checking the records would prove nothing.
            warnings.Add($"storage is not immutable ({store.Capabilities.Description}): lock coverage cannot be verified, and anyone with access to it can delete these backups");
        }

        var (packsRead, bytesRead) = (0, 0L);
        if (options.ReadData is { } subset)
        {
            var candidates = index.Packs.Keys.Where(p => !faultyPacks.Contains(p)).OrderBy(p => p.ToString(), StringComparer.Ordinal).ToList();
            var selected = subset.Select(candidates, options.Random ?? new Random());
            (packsRead, bytesRead) = await PackDataCheck.CheckAsync(
                store, repository, [.. selected.Select(p => (p, stored[p]))], findings, options, (done, total, bytes) => progress.Report("read-data", done, total, bytes), cancellationToken);
        }

        foreach (var impostor in repository.Impostors.Found)
        {
            findings.Add(FindingKind.Impostor, impostor.Name, impostor.Detail);
        }

        if (repository.Impostors.Count > repository.Impostors.Found.Count)
        {
            findings.Add(FindingKind.Impostor, "(more)", $"{repository.Impostors.Count - repository.Impostors.Found.Count} more impostors not listed");
        }

        if (options.MissingSnapshot is { } missing)
        {
            findings.Add(FindingKind.SnapshotMissing, SnapshotCatalog.Name(missing.Id), missing.Detail);
        }

        progress.Report("locating", 0, 0);
        await AffectedLocator.LocateAsync(repository, snapshots, graph, findings, cancellationToken);
        return new VerifyReport(findings.Build(), warnings, snapshots.Count, index.Packs.Count, index.BlobCount, lockChecked, packsRead, bytesRead);
    }

    /// <summary>One listing of <c>data/</c>: every stored pack with its size.</summary>
    private async Task<Dictionary<ObjectId, long>> ListPacksAsync(CancellationToken cancellationToken)
    {
        // With every version: a pack hidden by a delete marker is still stored, and reading it looks below the marker.
        var stored = new Dictionary<ObjectId, long>();
        await foreach (var item in repository.Reader.ListAsync(RepositoryObjectNames.DataPrefix, cancellationToken))
        {
            if (RepositoryObjectNames.TryParseId(item.Name, RepositoryObjectNames.DataPrefix, out var id))
            {
                stored[id] = item.Size;

                // Written over or hidden: judge (and read) the authentic version, and name the impostor.
                if ((item.Candidates.Count > 1 || item.HidingMarker is not null) && await repository.TryRepinPackAsync(id, cancellationToken) && repository.PinnedPackSize(id) is { } pinned)
                {
                    stored[id] = pinned;
                }
            }
        }

        return stored;
    }

    private async Task<List<LoadedSnapshot>> LoadSnapshotsAsync(FindingSet findings, ProgressRelay progress, CancellationToken cancellationToken)
    {
        // Forgotten snapshots are on their way out: prune may already have removed data only they used, and their
        // objects stay until their locks end. Verify answers for the snapshots a restore may still be asked for.
        var forgotten = await catalog.ForgottenIdsAsync(cancellationToken);
        var ids = new List<ObjectId>();
        await foreach (var id in catalog.ListIdsAsync(cancellationToken))
        {
            if (!forgotten.Contains(id))
            {
                ids.Add(id);
            }
        }

        var snapshots = new List<LoadedSnapshot>();
        foreach (var id in ids)
        {
            try
            {
                snapshots.Add(new LoadedSnapshot(id, await catalog.LoadAsync(id, cancellationToken)));
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                findings.Add(FindingKind.SnapshotUnreadable, SnapshotCatalog.Name(id), $"cannot be read: {ex.Message}").AddSnapshot(id);
            }

            progress.Report("snapshots", snapshots.Count, ids.Count);
        }

        return snapshots;
    }

    /// <summary>Every pack the index lists must be stored, at least as long as its entries reach; returns the packs that are not.</summary>
    private async Task<HashSet<ObjectId>> CheckPacksStoredAsync(BlobIndex index, Dictionary<ObjectId, long> stored, FindingSet findings, CancellationToken cancellationToken)
    {
        var faulty = new HashSet<ObjectId>();
        foreach (var (packId, pack) in index.Packs.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            var name = RepositoryObjectNames.Pack(packId);
            if (!stored.TryGetValue(packId, out var size))
            {
                faulty.Add(packId);
                findings.AttachPack(packId, findings.Add(FindingKind.PackMissing, name, "the index lists it but storage does not hold it"));
                continue;
            }

            // The trailer follows the last blob: at least a sealed unit of one byte, then its 4-byte length.
            var minimum = (pack.Entries.Count == 0 ? ObjectHeader.Length : pack.Entries.Max(e => e.End)) + BlobCipher.Overhead + 1 + 4;
            if (size < minimum && await repository.TryRepinPackAsync(packId, cancellationToken) && repository.PinnedPackSize(packId) is { } pinned)
            {
                // What storage lists first was written over the pack: the authentic version below it is the pack.
                size = pinned;
                stored[packId] = pinned;
            }

            if (size < minimum)
            {
                faulty.Add(packId);
                findings.AttachPack(packId, findings.Add(FindingKind.PackTruncated, name, $"storage holds {size} bytes but its index entries need at least {minimum}"));
            }
        }

        return faulty;
    }

    /// <summary>Whether a failure to read one object is damage to report (rather than a reason to stop the whole run).</summary>
    private static bool IsDamage(Exception ex) => ex is ObjectStoreException { Kind: StoreErrorKind.NotFound or StoreErrorKind.Damaged }
        or RepositoryFormatException or CryptographicIntegrityException or CryptographicException or FormatException or ArgumentException;

    /// <summary>Forwards progress from any thread one call at a time, carrying the byte count across phases.</summary>
    private sealed class ProgressRelay(IProgress<VerifyProgress>? target)
    {
        private readonly Lock _lock = new();
        private long _bytes;

        public void Report(string phase, long done, long total, long? bytes = null)
        {
            if (target is null)
            {
                return;
            }

            lock (_lock)
            {
                _bytes = Math.Max(_bytes, bytes ?? 0);
                target.Report(new VerifyProgress(phase, done, total, _bytes));
            }
        }
    }
}
