namespace Ztdr.Backup.Restoring;

/// <summary>
/// One --include or --exclude pattern, with restic's semantics, matched against a path relative to the snapshot's root
/// (names '/'-joined): the absolute path as backed up, since the root of a format 2 snapshot is <c>/</c>. A leading '/'
/// anchors the pattern at the root (<c>/etc/ssh</c>); without it the pattern may match starting at any depth
/// (<c>etc/ssh</c>, <c>*.conf</c>). Within a name <c>*</c> matches any run of characters and <c>?</c> one character; a <c>**</c> segment
/// matches any number of names. A pattern that matches a folder matches everything under it.
/// </summary>
internal sealed class PathPattern
{
    private const string AnySegments = "**";
    private readonly string[] _segments;
    private readonly bool _anchored;

    private PathPattern(string text, string[] segments, bool anchored)
    {
        Text = text;
        _segments = segments;
        _anchored = anchored;
    }

    public string Text { get; }

    /// <summary>Parses a pattern; one that is empty or climbs out of its folder ('.', '..') is refused.</summary>
    public static PathPattern Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The pattern '{text}' is empty; give a name or path such as 'docs/*.txt'.", nameof(text));
        }

        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"The pattern '{text}' holds '.' or '..'; patterns name paths inside the snapshot.", nameof(text));
        }

        // Consecutive '**' match what one does; collapsing them keeps matching linear in the usual cases.
        var collapsed = segments.Where((s, i) => !(s == AnySegments && i > 0 && segments[i - 1] == AnySegments)).ToArray();
        return new PathPattern(text, collapsed, text.StartsWith('/'));
    }

    /// <summary>Whether the pattern matches the path or one of its folders (which then takes everything under it).</summary>
    public bool Matches(IReadOnlyList<string> path)
    {
        if (_anchored)
        {
            return MatchFrom(0, path, 0);
        }

        for (var start = 0; start < path.Count; start++)
        {
            if (MatchFrom(0, path, start))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether something under folder <paramref name="path"/> could match: whether a restore must look inside.</summary>
    public bool MayMatchBelow(IReadOnlyList<string> path) => !_anchored || PrefixFrom(0, path, 0);

    private bool MatchFrom(int p, IReadOnlyList<string> path, int s)
    {
        if (p == _segments.Length)
        {
            // The whole pattern matched path[..s]: a folder of the path, or the path itself.
            return true;
        }

        if (_segments[p] == AnySegments)
        {
            return MatchFrom(p + 1, path, s) || (s < path.Count && MatchFrom(p, path, s + 1));
        }

        return s < path.Count && MatchesName(_segments[p], path[s]) && MatchFrom(p + 1, path, s + 1);
    }

    private bool PrefixFrom(int p, IReadOnlyList<string> path, int s)
    {
        if (s == path.Count || p == _segments.Length || _segments[p] == AnySegments)
        {
            return true;
        }

        return MatchesName(_segments[p], path[s]) && PrefixFrom(p + 1, path, s + 1);
    }

    /// <summary>Wildcard match of one name: '*' any run (not '/': names hold none), '?' one character.</summary>
    internal static bool MatchesName(string pattern, string name)
    {
        int p = 0, n = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starN = n;
            }
            else if (starP >= 0)
            {
                // Let the last '*' take one more character and retry from there.
                p = starP + 1;
                n = ++starN;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    public override string ToString() => Text;
}
