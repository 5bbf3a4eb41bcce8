using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Repository;

/// <summary>
/// How to open a repository. <paramref name="PreferredKeys"/> are key object ids to try first, in order: the user's
/// <c>--key-hint</c>, then the keys this host opened before. With them, planted key objects cost nothing on the usual
/// path; without, keys are tried cheapest first within a budget (<see cref="KeyRing"/>).
/// </summary>
public sealed record RepositoryOpenOptions(IReadOnlyList<ObjectId> PreferredKeys)
{
    /// <summary>
    /// Folder of the local cache of tree packs (one subfolder per repository, <see cref="Caching.PackCache"/>); null
    /// for none. Verify opens without one: it judges storage, not a copy of it.
    /// </summary>
    public string? CacheRoot { get; init; }

    public RepositoryOpenOptions()
        : this([])
    {
    }
}
