namespace Ztdr.Vault.Audit;

/// <summary>
/// One audited request: every mutation and every denial. <see cref="Outcome"/> is "allowed" or "denied:CODE"
/// (the S3 error code). Times are the vault's trusted time, never the raw wall clock.
/// </summary>
/// <remarks>
/// <see cref="Lock"/> is set on allowed requests that leave a version locked, change its retention or legal hold, or
/// remove it: the record then is format version 2 (docs/audit-format.md, "Lock state"), and the scrubber replays these
/// records into the lock state each version must have.
/// </remarks>
public sealed record AuditEvent(
    DateTimeOffset TrustedTime,
    string Principal,
    string Operation,
    string? Bucket,
    string? Key,
    string? VersionId,
    string Outcome,
    string? Source,
    string? RequestId)
{
    public AuditLock? Lock { get; init; }
}

/// <summary>The append-only, hash-chained audit log. <see cref="AppendAsync"/> returns once the record is durable.</summary>
public interface IAuditLog
{
    /// <summary>Throws <see cref="AuditLogUnavailableException"/> once the log accepts no more records.</summary>
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Why the log accepts no records (read-only start, or failed closed); null while it does.</summary>
    string? ReadOnlyReason { get; }
}
