using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <summary>
/// Finds the key object a password opens (repository-format.md § 4), in a <c>keys/</c> folder whoever holds the backup
/// key can write to. A key object authenticates only under its password, so a planted one cannot be told from another
/// user's key before it is tried; what keeps planted keys from costing every command minutes and gigabytes is bounds:
/// each key object is read only up to <see cref="MaxKeyObjectLength"/>, its Argon2id cost is capped
/// (<see cref="KdfParameters.MaxCost"/>: 256 MiB × 10 passes), keys this host opened before are tried first, then the
/// cheapest, and one open spends at most <see cref="CostBudget"/> of derivation work on at most
/// <see cref="MaxKeysTried"/> keys.
/// </summary>
internal static class KeyRing
{
    /// <summary>A key object is about 600 bytes of JSON.</summary>
    public const int MaxKeyObjectLength = 64 * 1024;

    /// <summary>Keys one password tries at most.</summary>
    public const int MaxKeysTried = 32;

    /// <summary>Derivation work one open spends at most: four keys at the cap, about 170 keys at the default cost.</summary>
    public const long CostBudget = 4 * KdfParameters.MaxCost;

    /// <summary>Key objects held in memory at most while choosing which to try; past it, names are only counted.</summary>
    public const int MaxKeysListed = 4096;

    /// <summary>
    /// Unwraps the master key. <paramref name="preferred"/> are key ids to try first, in order (a <c>--key-hint</c>,
    /// the keys this host opened before); ids the repository does not hold are passed over.
    /// </summary>
    public static async Task<OpenedKey> OpenAsync(AuthenticReader reader, string password, IReadOnlyList<ObjectId> preferred, CancellationToken cancellationToken)
    {
        var candidates = new List<Candidate>();
        var unlisted = 0;
        await foreach (var name in reader.ListAsync(RepositoryObjectNames.KeysPrefix, cancellationToken))
        {
            if (!RepositoryObjectNames.TryParseId(name.Name, RepositoryObjectNames.KeysPrefix, out var keyId))
            {
                continue;
            }

            if (candidates.Count >= MaxKeysListed && !preferred.Contains(keyId))
            {
                unlisted++;
                continue;
            }

            foreach (var (version, key) in await reader.ReadEachAsync(name, MaxKeyObjectLength, bytes => KeyObject.Parse(bytes), cancellationToken))
            {
                candidates.Add(new Candidate(keyId, name, version, key));
            }
        }

        var rank = new Dictionary<ObjectId, int>();
        foreach (var id in preferred)
        {
            rank.TryAdd(id, rank.Count);
        }

        var ordered = candidates
            .OrderBy(c => rank.TryGetValue(c.Id, out var at) ? at : int.MaxValue)
            .ThenBy(c => c.Key.Kdf.Cost)
            .ThenBy(c => c.Key.Created)
            .ToList();

        var spent = 0L;
        var tried = 0;
        var skipped = new List<Candidate>();
        foreach (var candidate in ordered)
        {
            if (tried >= MaxKeysTried || spent + candidate.Key.Kdf.Cost > CostBudget)
            {
                skipped.Add(candidate);
                continue;
            }

            tried++;
            spent += candidate.Key.Kdf.Cost;
            if (candidate.Key.TryUnwrap(password, out var masterKey))
            {
                ReportOverwrites(reader, candidate, candidates);
                var keyObjects = candidates.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.Key == candidate.Id ? candidate.Key : g.First().Key);
                return new OpenedKey(masterKey, candidate.Id, keyObjects);
            }
        }

        throw new WrongPasswordException(Explain(tried, skipped, unlisted, reader.Impostors.Count));
    }

    // The version that opened is authentic; any other version of the same name was written over it by someone else.
    private static void ReportOverwrites(AuthenticReader reader, Candidate opened, List<Candidate> all)
    {
        foreach (var other in all.Where(c => c.Id == opened.Id && c.Version != opened.Version))
        {
            reader.Report(other.Version, "another key object written over this key's name; ztdr writes a key once");
        }

        if (opened.Name.HidingMarker is { } marker)
        {
            reader.Report(marker, "a delete marker hides this key; ztdr never writes one, the authentic version below it is used");
        }
    }

    private static string Explain(int tried, List<Candidate> skipped, int unlisted, int impostors)
    {
        if (tried == 0 && skipped.Count == 0)
        {
            return unlisted > 0
                ? $"None of the repository's first {MaxKeysListed} key objects could be read, and {unlisted} more were not looked at. Give the key's id with --key-hint."
                : "The repository has no readable key objects: it is not initialised, or keys/ was not readable with these credentials."
                    + (impostors > 0 ? " Objects under keys/ that are not key objects were skipped (ztdr verify names them)." : string.Empty);
        }

        var message = $"The password opens none of the {tried} key objects tried. Check the password source (--password-file, ZTDR_PASSWORD_FILE, ZTDR_PASSWORD).";
        if (skipped.Count > 0 || unlisted > 0)
        {
            // A flood of planted keys can push the owner's past the budget; naming the key is the way through.
            message += $" {skipped.Count + unlisted} key objects were not tried (at most {MaxKeysTried} keys and {CostBudget / (1024 * 1024)} GiB-passes of Argon2id per open"
                + (skipped.Count > 0 ? $"; e.g. {string.Join(", ", skipped.Take(3).Select(c => c.Id.ToString()[..16]))}" : string.Empty)
                + "): if yours is among them, give its id with --key-hint (ZTDR_KEY_HINT). So many keys suggest someone planted them with the backup key.";
        }

        return message;
    }

    private sealed record Candidate(ObjectId Id, StoredName Name, ObjectVersion Version, KeyObject Key);
}

/// <summary>The unwrapped master key, the id of the key object that opened it, and every key object read.</summary>
internal sealed record OpenedKey(MasterKey MasterKey, ObjectId KeyId, IReadOnlyDictionary<ObjectId, KeyObject> KeyObjects);
