using System.Runtime.CompilerServices;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Authenticity;

/// <summary>
/// Reads the repository's small objects (config, keys, index, snapshots, markers, records) from a store it does not
/// trust. A version is accepted only when <c>open</c> accepts it (it authenticates under the master key and names the
/// id in its name); on a store that keeps versions, a current version that fails, or a delete marker that hides the
/// name, does not end the read: the reader looks at the older versions for the authentic one, and every version it
/// passed over is logged as an <see cref="Impostor"/>. What storage chooses is bounded before any work: a version
/// larger than the caller's cap is never fetched, a read stops at the cap, at most <see cref="MaxVersionsTried"/>
/// versions of a name are read, and a listing holds one name's versions at a time.
/// </summary>
internal sealed class AuthenticReader(IObjectStore store, ImpostorLog impostors)
{
    /// <summary>Versions of one name read at most: an attacker can stack any number over a name, each costing a GET.</summary>
    public const int MaxVersionsTried = 8;

    public ImpostorLog Impostors => impostors;

    public IObjectStore Store => store;

    // Set when storage refuses ListObjectVersions (on AWS it is its own permission, s3:ListBucketVersions, which a
    // policy may leave out): reads then see current versions only, and say so once.
    private volatile bool _versionsDenied;

    /// <summary>
    /// Null, or why this reader cannot look past current versions although the store keeps them (the credentials may
    /// not list versions). Commands say it once: impostors can then only be skipped, not looked past.
    /// </summary>
    public string? VersionsUnavailable { get; private set; }

    /// <summary>Every name under <paramref name="prefix"/> that has a version with bytes, in name order.</summary>
    public async IAsyncEnumerable<StoredName> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (store.Capabilities.KeepsVersions && !_versionsDenied && !await CanListVersionsAsync(prefix, cancellationToken))
        {
            _versionsDenied = true;
        }

        if (!store.Capabilities.KeepsVersions || _versionsDenied)
        {
            await foreach (var item in store.ListAsync(prefix, cancellationToken))
            {
                yield return StoredName.Unversioned(item.Name, item.Size);
            }

            yield break;
        }

        string? current = null;
        var versions = new List<ObjectVersion>();
        var dropped = 0;
        await foreach (var version in store.ListVersionsAsync(prefix, cancellationToken))
        {
            if (version.Name != current)
            {
                if (current is not null && Group(current, versions, dropped) is { } done)
                {
                    yield return done;
                }

                current = version.Name;
                versions.Clear();
                dropped = 0;
            }

            // Keep the newest few and the oldest: one name's thousand versions must not be held at once.
            if (versions.Count < MaxVersionsTried)
            {
                versions.Add(version);
            }
            else
            {
                versions[^1] = version;
                dropped++;
            }
        }

        if (current is not null && Group(current, versions, dropped) is { } last)
        {
            yield return last;
        }
    }

    private async Task<bool> CanListVersionsAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await using var versions = store.ListVersionsAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await versions.MoveNextAsync();
            return true;
        }
        catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.AccessDenied)
        {
            VersionsUnavailable = $"these credentials may not list object versions ({e.Message}); objects written over by someone else can be skipped but not looked past. Grant s3:ListBucketVersions and s3:GetObjectVersion";
            return false;
        }
    }

    /// <summary>The one name <paramref name="name"/> as <see cref="ListAsync"/> would list it, or null when it has no version with bytes.</summary>
    public async Task<StoredName?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await foreach (var listed in ListAsync(name, cancellationToken))
        {
            if (listed.Name == name)
            {
                return listed;
            }
        }

        return null;
    }

    /// <summary>
    /// The first candidate of <paramref name="name"/> that <paramref name="open"/> accepts, or null when none does (each
    /// refused version is then logged as an impostor, and so is everything passed over when one is accepted).
    /// <paramref name="open"/> signals refusal with <see cref="CryptographicIntegrityException"/> or
    /// <see cref="RepositoryFormatException"/>. A version storage reports damaged by its own checksum is not an impostor
    /// (nobody wrote it; it rotted) and fails the read with that error when no other version opens.
    /// </summary>
    public async Task<T?> ReadAsync<T>(StoredName name, long maxLength, Func<byte[], T> open, CancellationToken cancellationToken)
        where T : class
    {
        var refused = new List<Impostor>();
        ObjectStoreException? damaged = null;
        foreach (var candidate in name.Candidates)
        {
            if (candidate.Size > maxLength)
            {
                refused.Add(ImpostorOf(candidate, $"is {candidate.Size:N0} bytes; no such object of ztdr's is over {maxLength:N0}"));
                continue;
            }

            try
            {
                var bytes = await ReadBoundedAsync(candidate, maxLength, cancellationToken);
                var opened = open(bytes);
                foreach (var impostor in refused)
                {
                    impostors.Add(impostor);
                }

                if (name.HidingMarker is { } marker)
                {
                    impostors.Add(ImpostorOf(marker, "a delete marker hides this name; ztdr never writes one, the authentic version below it is used"));
                }

                return opened;
            }
            catch (Exception e) when (e is CryptographicIntegrityException or RepositoryFormatException)
            {
                refused.Add(ImpostorOf(candidate, $"does not authenticate ({e.Message})"));
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.NotFound)
            {
                // Gone since it was listed (prune, or a version id the store no longer serves): nothing to judge.
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.Damaged)
            {
                damaged ??= e;
            }
        }

        foreach (var impostor in refused)
        {
            impostors.Add(impostor);
        }

        return damaged is null ? null : throw damaged;
    }

    /// <summary>
    /// Every candidate of <paramref name="name"/> that <paramref name="parse"/> accepts, with its version; those it
    /// refuses are logged as impostors. For objects that parse without a key and are judged later (key objects: only
    /// the password tells which one is real).
    /// </summary>
    public async Task<IReadOnlyList<(ObjectVersion Version, T Value)>> ReadEachAsync<T>(StoredName name, long maxLength, Func<byte[], T> parse, CancellationToken cancellationToken)
    {
        var accepted = new List<(ObjectVersion, T)>();
        foreach (var candidate in name.Candidates)
        {
            if (candidate.Size > maxLength)
            {
                impostors.Add(ImpostorOf(candidate, $"is {candidate.Size:N0} bytes; no such object of ztdr's is over {maxLength:N0}"));
                continue;
            }

            try
            {
                accepted.Add((candidate, parse(await ReadBoundedAsync(candidate, maxLength, cancellationToken))));
            }
            catch (RepositoryFormatException e)
            {
                impostors.Add(ImpostorOf(candidate, $"is not a valid object of its kind ({e.Message})"));
            }
            catch (ObjectStoreException e) when (e.Kind is StoreErrorKind.NotFound or StoreErrorKind.Damaged)
            {
                // Gone since listed, or rotted in storage: not something anyone wrote, and nothing to try.
            }
        }

        return accepted;
    }

    /// <summary>Logs <paramref name="version"/> of a name as an impostor.</summary>
    public void Report(ObjectVersion version, string reason) => impostors.Add(ImpostorOf(version, reason));

    /// <summary>Reads one version, refusing more than <paramref name="maxLength"/> bytes whatever the listing said.</summary>
    private async Task<byte[]> ReadBoundedAsync(ObjectVersion version, long maxLength, CancellationToken cancellationToken)
    {
        await using var stream = await store.GetVersionAsync(version.Name, version.VersionId, cancellationToken: cancellationToken);
        return await BoundedRead.ReadAllAsync(stream, maxLength, version.Name, cancellationToken);
    }

    private static Impostor ImpostorOf(ObjectVersion version, string reason) =>
        new(version.Name, version.VersionId, version.LastModified, reason);

    private StoredName? Group(string name, List<ObjectVersion> newestFirst, int dropped)
    {
        if (dropped > 0)
        {
            impostors.Add(new Impostor(name, null, null, $"has {newestFirst.Count + dropped} versions; ztdr writes a name once, so all but one were written by someone else"));
        }

        return StoredName.FromVersions(name, newestFirst, MaxVersionsTried);
    }
}
