using System.Runtime.CompilerServices;
using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// The snapshots of a repository (<c>snapshots/&lt;id&gt;</c>, repository-format.md § 9.2): writes them under the
/// lock-coverage invariant (§ 11), lists and loads them, and marks them forgotten (<c>forgotten/&lt;id&gt;</c>, § 9.3).
/// Listing and resolving see only snapshots no marker names unless asked to include forgotten ones: forget cannot
/// delete (the backup key has no delete permission, and the snapshot is locked), so the marker is what hides it.
/// <paramref name="store"/> must be the store <paramref name="repository"/> was opened on.
/// </summary>
internal sealed class SnapshotCatalog(IObjectStore store, Repository.Repository repository)
{
    public const string Prefix = "snapshots/";

    /// <summary>The reference that means the newest snapshot.</summary>
    public const string Latest = "latest";

    /// <summary>The shortest id prefix <see cref="ResolveAsync(string, CancellationToken)"/> accepts.</summary>
    public const int MinPrefixLength = 8;

    /// <summary>A snapshot body is small JSON; anything larger is not one of ours.</summary>
    private const int MaxBodyLength = 16 * 1024 * 1024;

    /// <summary>A marker lists ids of 64 hex digits; 64 MiB is about a million snapshots.</summary>
    private const int MaxMarkerLength = 64 * 1024 * 1024;

    /// <summary>What a sealed object adds to its body at most (header, nonce, tag, flag), for caps on stored sizes.</summary>
    private const int SealingOverhead = 4096;

    public static string Name(ObjectId id) => Prefix + id;

    /// <summary>
    /// Commits a snapshot: first <see cref="Repository.Repository.EnsureCoverageAsync"/> (flush, then every object the
    /// snapshot needs locked until at least its retain-until); only when that succeeded is the snapshot object uploaded,
    /// locked until gen(retain-until). A failure before the upload leaves no snapshot, and the uploaded packs are
    /// reused by the next run.
    /// </summary>
    public async Task<ObjectId> SaveAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        await repository.EnsureCoverageAsync(snapshot.RetainUntil, cancellationToken);
        var id = ObjectId.NewRandom();
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        var sealedSnapshot = SealedObject.Seal(repository.Keys, compressor, ObjectType.Snapshot, id, snapshot.Serialize());
        await store.PutNewAsync(Name(id), sealedSnapshot, repository.Config.Lock.Generation(snapshot.RetainUntil), cancellationToken);
        return id;
    }

    /// <summary>
    /// Reads and authenticates one snapshot, looking past versions that do not (<see cref="AuthenticReader"/>). One that
    /// has no authentic version: <see cref="RepositoryFormatException"/> (and its versions are in the impostor log).
    /// </summary>
    public async Task<Snapshot> LoadAsync(ObjectId id, CancellationToken cancellationToken) =>
        await LoadAsync(await repository.Reader.FindAsync(Name(id), cancellationToken) ?? throw StoreErrors.NotFound(Name(id)), id, cancellationToken)
            ?? throw new RepositoryFormatException($"No version of snapshot {id} authenticates: storage holds something ztdr did not write under its name.");

    /// <summary>Every snapshot id in the store, in name order; names this version does not know are ignored (§ 1).</summary>
    public async IAsyncEnumerable<ObjectId> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in repository.Reader.ListAsync(Prefix, cancellationToken))
        {
            if (ObjectId.TryParse(item.Name[Prefix.Length..], out var id))
            {
                yield return id;
            }
        }
    }

    /// <summary>
    /// Every authentic snapshot, in name order: names this version does not know are ignored (§ 1), and a name with no
    /// authentic version is skipped (its versions go to the impostor log). A listing of a million planted names costs one
    /// bounded read each and holds none of them.
    /// </summary>
    public async IAsyncEnumerable<(ObjectId Id, Snapshot Snapshot)> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in repository.Reader.ListAsync(Prefix, cancellationToken))
        {
            if (ObjectId.TryParse(item.Name[Prefix.Length..], out var id) && await LoadAsync(item, id, cancellationToken) is { } snapshot)
            {
                yield return (id, snapshot);
            }
        }
    }

    /// <summary>Every snapshot no forgotten marker names, loaded and authenticated, oldest first.</summary>
    public Task<IReadOnlyList<(ObjectId Id, Snapshot Snapshot)>> ListAsync(CancellationToken cancellationToken) =>
        ListAsync(includeForgotten: false, cancellationToken);

    /// <summary>Every snapshot, oldest first; forgotten ones only when <paramref name="includeForgotten"/>.</summary>
    public async Task<IReadOnlyList<(ObjectId Id, Snapshot Snapshot)>> ListAsync(bool includeForgotten, CancellationToken cancellationToken)
    {
        var forgotten = includeForgotten ? [] : await ForgottenIdsAsync(cancellationToken);
        var snapshots = new List<(ObjectId Id, Snapshot Snapshot)>();
        await foreach (var (id, snapshot) in ReadAllAsync(cancellationToken))
        {
            if (!forgotten.Contains(id))
            {
                snapshots.Add((id, snapshot));
            }
        }

        return [.. snapshots.OrderBy(s => s.Snapshot.Time)];
    }

    /// <summary>
    /// Finds the snapshot a user means among the unforgotten ones: <c>latest</c> (newest by time), a full id, or a
    /// unique prefix of at least <see cref="MinPrefixLength"/> hex digits. Not found or ambiguous:
    /// <see cref="KeyNotFoundException"/> saying which.
    /// </summary>
    public Task<(ObjectId Id, Snapshot Snapshot)> ResolveAsync(string reference, CancellationToken cancellationToken) =>
        ResolveAsync(reference, includeForgotten: false, cancellationToken);

    /// <summary>As <see cref="ResolveAsync(string, CancellationToken)"/>, forgotten snapshots included when asked.</summary>
    public async Task<(ObjectId Id, Snapshot Snapshot)> ResolveAsync(string reference, bool includeForgotten, CancellationToken cancellationToken)
    {
        if (reference == Latest)
        {
            var all = await ListAsync(includeForgotten, cancellationToken);
            return all.Count > 0 ? all[^1] : throw new KeyNotFoundException("The repository has no snapshots yet; make one with 'ztdr backup'.");
        }

        if (reference.Length < MinPrefixLength)
        {
            throw new KeyNotFoundException($"'{reference}' is too short to name a snapshot: give at least {MinPrefixLength} hex digits of its id, or 'latest'.");
        }

        var forgotten = includeForgotten ? [] : await ForgottenIdsAsync(cancellationToken);
        var matches = new List<ObjectId>();
        var forgottenMatches = 0;
        await foreach (var id in ListIdsAsync(cancellationToken))
        {
            if (id.ToString().StartsWith(reference, StringComparison.Ordinal))
            {
                if (forgotten.Contains(id))
                {
                    forgottenMatches++;
                }
                else
                {
                    matches.Add(id);
                }
            }
        }

        return matches.Count switch
        {
            1 => (matches[0], await LoadAsync(matches[0], cancellationToken)),
            0 when forgottenMatches > 0 => throw new KeyNotFoundException($"The snapshot starting with '{reference}' is forgotten; 'ztdr snapshots --forgotten' lists forgotten snapshots."),
            0 => throw new KeyNotFoundException($"No snapshot id starts with '{reference}'; 'ztdr snapshots' lists them."),
            _ => throw new KeyNotFoundException($"{matches.Count} snapshot ids start with '{reference}'; give more digits."),
        };
    }

    /// <summary>Every authentic forgotten marker in the store, in name order; impostors are skipped and logged.</summary>
    public async Task<IReadOnlyList<(ObjectId Id, ForgottenMarker Marker)>> ListMarkersAsync(CancellationToken cancellationToken)
    {
        var markers = new List<(ObjectId Id, ForgottenMarker Marker)>();
        await foreach (var item in repository.Reader.ListAsync(ForgottenMarker.Prefix, cancellationToken))
        {
            if (ObjectId.TryParse(item.Name[ForgottenMarker.Prefix.Length..], out var id))
            {
                using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
                var marker = await repository.Reader.ReadAsync(
                    item,
                    MaxMarkerLength + SealingOverhead,
                    bytes => ForgottenMarker.Parse(SealedObject.Open(repository.Keys, compressor, ObjectType.Forgotten, id, bytes, MaxMarkerLength)),
                    cancellationToken);
                if (marker is not null)
                {
                    markers.Add((id, marker));
                }
            }
        }

        return markers;
    }

    /// <summary>The ids every forgotten marker names (whether or not the snapshot still exists).</summary>
    public async Task<HashSet<ObjectId>> ForgottenIdsAsync(CancellationToken cancellationToken) =>
        [.. (await ListMarkersAsync(cancellationToken)).SelectMany(m => m.Marker.Snapshots)];

    /// <summary>
    /// Marks snapshots forgotten with one new <c>forgotten/&lt;id&gt;</c> object, COMPLIANCE-locked until the run's
    /// generation like every object (§ 11); deletes nothing. Returns the marker's id, or null when every id given is
    /// already forgotten (nothing to write). <paramref name="time"/> is the marker's time (the run's clock).
    /// </summary>
    public async Task<ObjectId?> ForgetAsync(IReadOnlyCollection<ObjectId> snapshots, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var already = await ForgottenIdsAsync(cancellationToken);
        var fresh = snapshots.Where(id => !already.Contains(id)).Distinct().OrderBy(id => id.ToString(), StringComparer.Ordinal).ToList();
        if (fresh.Count == 0)
        {
            return null;
        }

        var id = ObjectId.NewRandom();
        var marker = new ForgottenMarker(time, fresh);
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        var sealedMarker = SealedObject.Seal(repository.Keys, compressor, ObjectType.Forgotten, id, marker.Serialize());
        await store.PutNewAsync(ForgottenMarker.Name(id), sealedMarker, repository.RunRetainUntil, cancellationToken);
        return id;
    }

    private async Task<Snapshot?> LoadAsync(StoredName item, ObjectId id, CancellationToken cancellationToken)
    {
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        return await repository.Reader.ReadAsync(
            item,
            MaxBodyLength + SealingOverhead,
            bytes => Snapshot.Parse(SealedObject.Open(repository.Keys, compressor, ObjectType.Snapshot, id, bytes, MaxBodyLength)),
            cancellationToken);
    }
}
