using System.Collections.Concurrent;
using System.Globalization;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// The lock-coverage invariant (repository-format.md § 11) checked against what storage reports, not against the
/// repository's own retention records: every object a snapshot needs to be restored — config, key objects, the packs
/// holding its blobs, the snapshot object itself — must be COMPLIANCE-locked at least until the snapshot's
/// retain-until. One retention read per object, against the latest requirement of any snapshot reaching it.
/// </summary>
/// <remarks>
/// Index objects are not checked: § 11 makes them derived data, rebuildable from the pack trailers that
/// <c>--read-data</c> verifies. GOVERNANCE retention does not count: a caller with bypass permission can lift it.
/// </remarks>
internal static class LockCoverageCheck
{
    public static async Task CheckAsync(
        IObjectStore store,
        Repository.Repository repository,
        IReadOnlyList<LoadedSnapshot> snapshots,
        IReadOnlyDictionary<ObjectId, DateTimeOffset> packRequirement,
        IReadOnlySet<ObjectId> packsNotStored,
        FindingSet findings,
        VerifyOptions options,
        Action<long, long> progress,
        CancellationToken cancellationToken)
    {
        var dependencies = new List<Dependency>();
        if (snapshots.Count > 0)
        {
            // Every snapshot needs the config and the key objects (any key opens the master key; all are checked,
            // since an attacker who can delete one an owner relies on has cut that owner off).
            var latest = snapshots.Max(s => s.Snapshot.RetainUntil);
            dependencies.Add(new Dependency(RepositoryObjectNames.Config, latest, null, null));
            dependencies.AddRange(repository.KeyObjects.Keys.Select(k => new Dependency(RepositoryObjectNames.Key(k), latest, null, null)));
        }

        dependencies.AddRange(snapshots.Select(s => new Dependency(SnapshotCatalog.Name(s.Id), s.Snapshot.RetainUntil, s, null)));
        dependencies.AddRange(packRequirement
            .Where(p => !packsNotStored.Contains(p.Key))
            .Select(p => new Dependency(RepositoryObjectNames.Pack(p.Key), p.Value, null, p.Key)));

        var results = new ConcurrentQueue<(Dependency Dependency, ObjectRetention? Retention, ObjectStoreException? Error)>();
        long done = 0;
        await Parallel.ForEachAsync(
            dependencies,
            new ParallelOptions { MaxDegreeOfParallelism = options.RetentionParallelism, CancellationToken = cancellationToken },
            async (dependency, token) =>
            {
                try
                {
                    results.Enqueue((dependency, await store.GetRetentionAsync(dependency.Name, token), null));
                }
                catch (ObjectStoreException ex) when (ex.Kind is StoreErrorKind.NotFound)
                {
                    results.Enqueue((dependency, null, ex));
                }

                progress(Interlocked.Increment(ref done), dependencies.Count);
            });

        // Findings in dependency order, so a report reads the same from run to run.
        var order = dependencies.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        foreach (var (dependency, retention, error) in results.OrderBy(r => order[r.Dependency]))
        {
            if (error is null && retention is not null && retention.Covers(dependency.Required))
            {
                continue;
            }

            var coveredUntil = retention is { Mode: RetentionMode.Compliance } ? retention.RetainUntil : DateTimeOffset.MinValue;
            var finding = findings.Add(FindingKind.LockNotCovering, dependency.Name, Describe(retention, error, dependency.Required));
            if (dependency.Pack is { } pack)
            {
                findings.AttachPack(pack, finding, coveredUntil);
            }
            else if (dependency.Snapshot is { } snapshot)
            {
                finding.AddSnapshot(snapshot.Id);
            }
            else
            {
                foreach (var affected in snapshots.Where(s => s.Snapshot.RetainUntil > coveredUntil))
                {
                    finding.AddSnapshot(affected.Id);
                }
            }
        }
    }

    private static string Describe(ObjectRetention? retention, ObjectStoreException? error, DateTimeOffset required)
    {
        var need = $"snapshots need COMPLIANCE until {Format(required)}";
        return (retention, error) switch
        {
            (_, { } e) => $"its retention cannot be read ({e.Message}); {need}",
            (null, _) => $"has no retention at all; {need}",
            ({ Mode: RetentionMode.Governance }, _) => $"is under GOVERNANCE retention until {Format(retention.RetainUntil)}, which a privileged caller can lift; {need}",
            _ => $"is locked only until {Format(retention.RetainUntil)}; {need}",
        };
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An object, the latest retain-until it must serve, and what depends on it (a snapshot, a pack, or every snapshot).</summary>
    private sealed record Dependency(string Name, DateTimeOffset Required, LoadedSnapshot? Snapshot, ObjectId? Pack);
}
