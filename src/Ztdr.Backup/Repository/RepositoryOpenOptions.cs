using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Repository;

/// <summary>
/// How to open a repository. <paramref name="PreferredKeys"/> are key object ids to try first, in order: the user's
/// <c>--key-hint</c>, then the keys this host opened before. With them, planted key objects cost nothing on the usual
/// path; without, keys are tried cheapest first within a budget (<see cref="KeyRing"/>).
/// </summary>
public sealed record RepositoryOpenOptions(IReadOnlyList<ObjectId> PreferredKeys)
{
    public RepositoryOpenOptions()
        : this([])
    {
    }
}
