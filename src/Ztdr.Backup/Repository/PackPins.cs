using System.Collections.Concurrent;
using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <summary>
/// Packs are read by ranges, so an impostor written over a pack, or a delete marker hiding one, shows only when a blob
/// read from it fails. Then <see cref="TryRepinAsync"/> lists the pack's versions and pins the first whose trailer
/// authenticates under the pack's id (only the master key can seal that) as the version every later read of the pack
/// gets; the versions passed over are logged as impostors. Concurrent failures of one pack share one resolution. Backup
/// and verify also resolve every pack whose name has more than one version before they judge or extend its lock, so
/// coverage is about the authentic version and not an impostor's.
/// </summary>
internal sealed class PackPins(VersionPinnedStore store, AuthenticReader reader, RepositoryKeys keys, CompressorPool compressors)
{
    private readonly ConcurrentDictionary<ObjectId, Lazy<Task<bool>>> _resolutions = new();
    private readonly ConcurrentDictionary<ObjectId, long> _pinnedSizes = new();

    /// <summary>The size of the version a pack is pinned to, or null when it is read as storage serves it.</summary>
    public long? PinnedSize(ObjectId packId) => _pinnedSizes.TryGetValue(packId, out var size) ? size : null;

    /// <summary>Whether a failure of this kind, reading a pack, may be an impostor or a hidden pack (rather than an outage).</summary>
    public static bool MayBeImpostor(Exception e) =>
        e is CryptographicIntegrityException or RepositoryFormatException or ObjectStoreException { Kind: StoreErrorKind.NotFound };

    /// <summary>
    /// True when an authentic version of the pack other than the one reads got is now pinned, so a failed read is
    /// worth one retry. False on a store without versions, when the version reads got is the authentic one, or when no
    /// version authenticates (then the pack is damaged, and the original error stands).
    /// </summary>
    public Task<bool> TryRepinAsync(ObjectId packId, CancellationToken cancellationToken)
    {
        if (!store.Capabilities.KeepsVersions)
        {
            return Task.FromResult(false);
        }

        // Not cancelled with the first caller's token: the others awaiting the same resolution would see its cancellation.
        return _resolutions.GetOrAdd(packId, id => new Lazy<Task<bool>>(() => ResolveAsync(id, cancellationToken))).Value;
    }

    private async Task<bool> ResolveAsync(ObjectId packId, CancellationToken cancellationToken)
    {
        var name = RepositoryObjectNames.Pack(packId);
        if (await reader.FindAsync(name, cancellationToken) is not { } listed)
        {
            return false;
        }

        // The version reads get now: the pinned one, or the current one unless a delete marker hides the name.
        var served = store.PinOf(name) ?? (listed.HidingMarker is null ? listed.Candidates[0].VersionId : null);
        var refused = new List<ObjectVersion>();
        foreach (var candidate in listed.Candidates.Where(c => c.VersionId is not null))
        {
            var view = new VersionPinnedStore(store.Inner);
            view.Pin(name, candidate.VersionId!);
            var compressor = compressors.Rent();
            try
            {
                await PackReader.ReadTrailerAsync(view, name, packId, candidate.Size, keys, compressor, cancellationToken);
            }
            catch (Exception e) when (MayBeImpostor(e))
            {
                refused.Add(candidate);
                continue;
            }
            finally
            {
                compressors.Return(compressor);
            }

            foreach (var other in refused)
            {
                reader.Report(other, "does not authenticate as this pack; the authentic version below it is read instead");
            }

            if (listed.HidingMarker is { } marker)
            {
                reader.Report(marker, "a delete marker hides this pack; ztdr never writes one, the authentic version below it is read");
            }

            if (candidate.VersionId == served)
            {
                return false;
            }

            _pinnedSizes[packId] = candidate.Size;
            store.Pin(name, candidate.VersionId!);
            return true;
        }

        return false;
    }
}
