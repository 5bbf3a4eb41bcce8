namespace Ztdr.Testing;

/// <summary>
/// Where a backed-up path is found in a snapshot and after a restore. Snapshots store absolute paths (snapshot format
/// 2, as restic), so a backup of <c>/tmp/x/data</c> is <c>tmp/x/data</c> from the snapshot's root and restores to
/// <c>TARGET/tmp/x/data</c>.
/// </summary>
public static class BackedUpPath
{
    /// <summary><paramref name="target"/>, then <paramref name="backedUp"/> made absolute, then <paramref name="below"/>.</summary>
    public static string Under(string target, string backedUp, params string[] below) =>
        Path.Combine([target, Path.GetFullPath(backedUp).TrimStart('/'), .. below]);

    /// <summary>The path from the snapshot's root, '/'-joined without a leading '/' (as a tree walk names entries).</summary>
    public static string InSnapshot(string backedUp, params string[] below) =>
        string.Join('/', [Path.TrimEndingDirectorySeparator(Path.GetFullPath(backedUp)).TrimStart('/'), .. below.Where(b => b.Length > 0)]);

    /// <summary>The absolute paths of the folders above <paramref name="backedUp"/>, outermost first: "/tmp", "/tmp/x".</summary>
    public static IReadOnlyList<string> Above(string backedUp)
    {
        var components = Path.TrimEndingDirectorySeparator(Path.GetFullPath(backedUp)).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return [.. Enumerable.Range(1, components.Length - 1).Select(n => "/" + string.Join('/', components[..n]))];
    }

    /// <summary>The folders a restore creates above <paramref name="backedUp"/>: its absolute path's components but the last.</summary>
    public static int FoldersAbove(string backedUp) =>
        Path.GetFullPath(backedUp).Split('/', StringSplitOptions.RemoveEmptyEntries).Length - 1;
}
