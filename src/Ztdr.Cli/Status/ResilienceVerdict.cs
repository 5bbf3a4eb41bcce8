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
/// </summary>
internal sealed record ResilienceVerdict(
    NewestSnapshot? Newest,
    IReadOnlyList<string> Holding,
    RuleResult Copies,
    RuleResult Media,
    RuleResult Offsite,
    RuleResult Immutable,
    RuleResult Errors)
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

        var copies = holding.Count + LiveCopies;
        var media = holding.Select(z => z.Medium).Distinct(StringComparer.Ordinal).Count();
        var offsite = holding.Count(z => z.Offsite);
        var immutable = holding.Count(z => z.Lock is { Covers: true });
        var unclean = zones.Count(z => !z.VerifiedClean);
        return new ResilienceVerdict(
            newest,
            [.. holding.Select(z => z.Name)],
            new RuleResult(copies, 3, copies >= 3),
            new RuleResult(media, 2, media >= 2),
            new RuleResult(offsite, 1, offsite >= 1),
            new RuleResult(immutable, 1, immutable >= 1),
            new RuleResult(unclean, 0, unclean == 0 && zones.Count > 0));
    }

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
