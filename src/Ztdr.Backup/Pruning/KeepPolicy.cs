namespace Ztdr.Backup.Pruning;

/// <summary>
/// Which snapshots <c>forget</c> keeps, with restic's rules and meaning (restic's ExpirePolicy): the newest
/// <see cref="Last"/> snapshots; the newest snapshot of each of the newest <see cref="Hourly"/> hours,
/// <see cref="Daily"/> days, <see cref="Weekly"/> ISO weeks, <see cref="Monthly"/> months and <see cref="Yearly"/>
/// years that have one; every snapshot within <see cref="Within"/> of the newest; every snapshot holding all tags of
/// one of <see cref="Tags"/>. A count of <see cref="Unlimited"/> keeps one per every period. Rules combine by "or".
/// </summary>
public sealed record KeepPolicy
{
    /// <summary>"unlimited" on the command line: every period keeps its newest snapshot.</summary>
    public const int Unlimited = -1;

    public int Last { get; init; }

    public int Hourly { get; init; }

    public int Daily { get; init; }

    public int Weekly { get; init; }

    public int Monthly { get; init; }

    public int Yearly { get; init; }

    public KeepDuration? Within { get; init; }

    /// <summary>Tag lists: a snapshot that has every tag of any one list is kept.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Tags { get; init; } = [];

    /// <summary>No rule given: restic then removes nothing, and so do we (forget needs a rule or explicit ids).</summary>
    public bool IsEmpty =>
        Last == 0 && Hourly == 0 && Daily == 0 && Weekly == 0 && Monthly == 0 && Yearly == 0
        && (Within is null || Within.IsZero) && Tags.Count == 0;
}
