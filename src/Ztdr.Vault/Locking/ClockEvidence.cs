namespace Ztdr.Vault.Locking;

/// <summary>
/// What else on disk tells the time when the secure clock resumes. <paramref name="LastAuditRecord"/> is the trusted time
/// of the audit chain's last record (null for an empty chain): the persisted trusted time must be explained by it.
/// <paramref name="NewestDataFile"/> is the wall time the newest data file was written (its modification time; null when
/// there is none): a wall clock behind it at start was set back.
/// </summary>
public sealed record ClockEvidence(DateTimeOffset? LastAuditRecord, DateTimeOffset? NewestDataFile);
