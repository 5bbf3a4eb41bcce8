using Ztdr.Backup.Crypto;

namespace Ztdr.Cli.Status;

/// <summary>
/// The 3-2-1-1-0 rule judged over a set of zones, for the newest backup anywhere in the set (a zone that holds only an
/// older one does not protect what was backed up last):
/// <list type="bullet">
/// <item><b>3 copies</b>: the live data on the protected hosts counts as one (the usual reading of 3-2-1, restic's
/// too), so the newest snapshot must be held by at least two zones; copies are matched through their
/// <c>copy-of:</c> tags, followed back to the backup they started from.</item>
/// <item><b>2 media</b>: the zones holding it sit on at least two distinct storage endpoints.</item>
/// <item><b>1 off-site</b>: at least one of them is marked <c>"offsite": true</c> in the zone file.</item>
/// <item><b>1 immutable</b>: at least one of them keeps it under COMPLIANCE retention that covers its retain-until.</item>
/// <item><b>0 errors</b>: every zone of the set was verified and its last verification found nothing wrong.</item>
/// </list>
/// Copies are counted by repository id, never by zone entry: one repository listed twice (a backup and a reader entry,
/// or <c>localhost</c> and <c>127.0.0.1</c>) is one copy on one medium, off-site or immutable only if every entry for
/// it says so — the entries cannot all be right when they disagree, and the verdict never assumes the safer one.
/// </summary>
internal sealed record ResilienceVerdict(
    NewestSnapshot? Newest,
    IReadOnlyList<string> Holding,
    RuleResult Copies,
    RuleResult Media,
    RuleResult Offsite,
    RuleResult Immutable,
    RuleResult Errors,
    IReadOnlyList<SameRepository> SameRepositories)
{
    /// <summary>The live data is one copy; the zones add the rest.</summary>
    public const int LiveCopies = 1;

    public bool Met => Copies.Met && Media.Met && Offsite.Met && Immutable.Met && Errors.Met;

    public IEnumerable<(string Name, RuleResult Result)> Rules =>
        [("copies", Copies), ("media", Media), ("offsite", Offsite), ("immutable", Immutable), ("errors", Errors)];

    public static ResilienceVerdict Judge(IReadOnlyList<ZoneStatus> zones)
    {
        var readable = zones.Where(z => z.Readable).ToList();
        var origins = new Dictionary<ObjectId, ObjectId?>();
        foreach (var zone in readable)
        {
            foreach (var (id, origin) in zone.Origins)
            {
                origins[id] = origin;
            }
        }

        var newestZone = readable.Where(z => z.Newest is not null).MaxBy(z => z.Newest!.Time);
        var newest = newestZone?.Newest;
        var holding = newest is null
            ? []
            : readable.Where(z => z.Origins.Keys.Any(id => Root(id, origins) == Root(newest.Id, origins))).ToList();

        var repositories = holding.GroupBy(Identity, StringComparer.Ordinal).ToList();
        var copies = repositories.Count + LiveCopies;
        var media = repositories.Select(r => r.Select(z => z.Medium).Min(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).Count();
        var offsite = repositories.Count(r => r.All(z => z.Offsite));
        var immutable = repositories.Count(r => r.All(z => z.Lock is { Covers: true }));
        var unclean = zones.Count(z => !z.VerifiedClean);
        var same = readable
            .Where(z => z.RepositoryId is not null)
            .GroupBy(z => z.RepositoryId!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => new SameRepository(g.Key, [.. g.Select(z => z.Name)], g.Select(z => z.Offsite).Distinct().Count() > 1))
            .ToList();
        return new ResilienceVerdict(
            newest,
            [.. holding.Select(z => z.Name)],
            new RuleResult(copies, 3, copies >= 3),
            new RuleResult(media, 2, media >= 2),
            new RuleResult(offsite, 1, offsite >= 1),
            new RuleResult(immutable, 1, immutable >= 1),
            new RuleResult(unclean, 0, unclean == 0 && zones.Count > 0),
            same);
    }

    /// <summary>What makes two zone entries one copy: the repository id read from storage (the entry's name without one).</summary>
    private static string Identity(ZoneStatus zone) => zone.RepositoryId ?? "zone:" + zone.Name;

    /// <summary>The snapshot a copy (of a copy…) started from; a loop of tags, which only a forger could write, stops.</summary>
    private static ObjectId Root(ObjectId id, IReadOnlyDictionary<ObjectId, ObjectId?> origins)
    {
        var seen = new HashSet<ObjectId>();
        while (origins.TryGetValue(id, out var origin) && origin is { } source && seen.Add(id))
        {
            id = source;
        }

        return id;
    }
}

/// <summary>One part of the rule: the count found, the count required (at least, or for errors at most), whether it holds.</summary>
internal sealed record RuleResult(int Count, int Required, bool Met);

/// <summary>
/// Zone entries that reach one repository (same id): counted as one copy. <see cref="OffsiteDisagrees"/> when some of
/// them are marked off-site and some are not, so the repository is not counted off-site.
/// </summary>
internal sealed record SameRepository(string RepositoryId, IReadOnlyList<string> Zones, bool OffsiteDisagrees);
