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

    // One flag per include, set once it matched an entry (restores decide from several threads; a flag only goes up).
    private readonly int[] _matched;

    public RestoreFilter(IEnumerable<string> includes, IEnumerable<string> excludes)
    {
        _includes = [.. includes.Select(PathPattern.Parse)];
        _excludes = [.. excludes.Select(PathPattern.Parse)];
        _matched = new int[_includes.Count];
    }

    /// <summary>The include patterns that matched no entry so far: after a restore, the ones that restored nothing.</summary>
    public IReadOnlyList<string> UnmatchedIncludes => [.. _includes.Where((_, i) => Volatile.Read(ref _matched[i]) == 0).Select(p => p.Text)];

    /// <summary>Restores everything.</summary>
    public static RestoreFilter All { get; } = new([], []);

    /// <summary>What to do with the entry at <paramref name="path"/> (names from the snapshot's root).</summary>
    public FilterDecision Decide(IReadOnlyList<string> path, bool isFolder)
    {
        if (_excludes.Any(e => e.Matches(path)))
        {
            return FilterDecision.Skip;
        }

        if (_includes.Count == 0)
        {
            return FilterDecision.Restore;
        }

        var included = false;
        for (var i = 0; i < _includes.Count; i++)
        {
            if (_includes[i].Matches(path))
            {
                Volatile.Write(ref _matched[i], 1);
                included = true;
            }
        }

        if (included)
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
