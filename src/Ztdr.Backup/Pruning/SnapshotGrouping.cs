namespace Ztdr.Backup.Pruning;

/// <summary>What snapshots must share to be judged together by a <see cref="KeepPolicy"/> (restic's <c>--group-by</c>).</summary>
[Flags]
public enum SnapshotGrouping
{
    /// <summary>All snapshots form one group.</summary>
    None = 0,

    Host = 1,

    Paths = 2,

    Tags = 4,
}
