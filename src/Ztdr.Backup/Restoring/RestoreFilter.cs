namespace Ztdr.Backup.Restoring;

/// <summary>
/// Which entries of a snapshot a restore writes, from --include and --exclude patterns (<see cref="PathPattern"/>).
/// With no include pattern everything is included. An excluded entry is skipped with everything under it, whatever
/// the includes say. A folder that is not included itself is still looked into when an include could match below
/// it, and is created only if something under it is restored (so the parents of included entries exist).
/// </summary>
internal sealed class RestoreFilter
{
    private readonly IReadOnlyList<PathPattern> _includes;
    private readonly IReadOnlyList<PathPattern> _excludes;

    public RestoreFilter(IEnumerable<string> includes, IEnumerable<string> excludes)
    {
        _includes = [.. includes.Select(PathPattern.Parse)];
        _excludes = [.. excludes.Select(PathPattern.Parse)];
    }

    /// <summary>Restores everything.</summary>
    public static RestoreFilter All { get; } = new([], []);

    /// <summary>What to do with the entry at <paramref name="path"/> (names from the snapshot's root).</summary>
    public FilterDecision Decide(IReadOnlyList<string> path, bool isFolder)
    {
        if (_excludes.Any(e => e.Matches(path)))
        {
            return FilterDecision.Skip;
        }

        if (_includes.Count == 0 || _includes.Any(i => i.Matches(path)))
        {
            return FilterDecision.Restore;
        }

        return isFolder && _includes.Any(i => i.MayMatchBelow(path)) ? FilterDecision.LookInside : FilterDecision.Skip;
    }
}

/// <summary>The filter's answer for one entry.</summary>
internal enum FilterDecision
{
    /// <summary>Neither this entry nor anything under it is restored.</summary>
    Skip,

    /// <summary>The entry is restored (a folder: with everything under it that is not excluded).</summary>
    Restore,

    /// <summary>A folder not restored for itself; restored only as the parent of something included under it.</summary>
    LookInside,
}
