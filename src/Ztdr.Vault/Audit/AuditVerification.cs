namespace Ztdr.Vault.Audit;

/// <summary>
/// What <see cref="AuditLog.Verify"/> found. <see cref="Records"/> counts the records that verified before the first
/// defect (all of them when <see cref="Ok"/>); <see cref="HeadHash"/> is the hash of the last of those, the genesis
/// value for an empty log.
/// </summary>
public sealed record AuditVerification(long Records, string HeadHash, AuditDefect? Defect)
{
    public bool Ok => Defect is null;
}

/// <summary>
/// The first defect in the log. <see cref="Sequence"/> is the record that belongs at <see cref="Line"/> (1-based; a
/// valid log holds record N on line N), so a removed record is named by its own number. Both are 0 for defects of the
/// head anchor itself.
/// </summary>
public sealed record AuditDefect(AuditDefectKind Kind, long Sequence, long Line, string Description)
{
    public override string ToString() =>
        Line > 0 ? $"line {Line} (record {Sequence}): {Description}" : Description;
}

/// <summary>Why a log failed verification (docs/audit-format.md, "What verify detects").</summary>
public enum AuditDefectKind
{
    /// <summary>A line is not a version 1 record in canonical form.</summary>
    Unparsable = 1,

    /// <summary>A record's stored hash is not the hash of its fields: it was changed after it was written.</summary>
    Edited = 2,

    /// <summary>The sequence skips forward and the skipped record appears nowhere later: it was removed.</summary>
    Removed = 3,

    /// <summary>A record sits where another belongs, and that one appears later (moved, swapped) or earlier (duplicated).</summary>
    Reordered = 4,

    /// <summary>A record's previous hash is not the hash of the record before it: one was removed or replaced with a rehashed record.</summary>
    ChainBroken = 5,

    /// <summary>The log ends before the record the head anchor names: its tail was cut off.</summary>
    TailCut = 6,

    /// <summary>The last line has no line feed: a write in flight, a crash not yet recovered, or bytes appended by hand.</summary>
    TornTail = 7,

    /// <summary>The record the head anchor names has a different hash: the log was rewritten, or the anchor was edited.</summary>
    HeadMismatch = 8,

    /// <summary>The log has records but the head anchor is missing or unreadable.</summary>
    HeadMissing = 9,
}
