using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Approvals;

/// <summary>
/// Four-eyes approval (issue 12, item 6; docs/approvals.md). A sensitive operation requested by one admin key is not
/// executed: it is stored as a pending approval that expires after <see cref="Ttl"/> of trusted time. A second, distinct
/// admin key approves it, and the operation commits in the same metadata transaction that marks the approval approved,
/// or rejects it. No key approves its own request; an expired approval is never approved. Every step, refusals
/// included, is an audit record (principal: the key, or <c>ztdr-vault</c> for expiry).
/// </summary>
public sealed class ApprovalEngine
{
    /// <summary>How long a request waits for its second key unless <c>serve --approval-ttl</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(24);

    private readonly MetadataDatabase _db;
    private readonly IAuditLog _audit;
    private readonly Func<DateTimeOffset> _now;
    private readonly SensitiveOperations _operations;
    private readonly ILogger _logger;

    /// <remarks><c>now</c> is trusted time (the secure clock's): expiry must not follow a wall clock an attacker can set.</remarks>
    public ApprovalEngine(MetadataDatabase db, IAuditLog audit, Func<DateTimeOffset> now, TimeSpan ttl, SensitiveOperations operations, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        _db = db;
        _audit = audit;
        _now = now;
        Ttl = ttl;
        _operations = operations;
        _logger = logger;
    }

    public TimeSpan Ttl { get; }

    /// <summary>
    /// Stores a request and audits it; nothing is executed. <paramref name="secret"/> is the secret of an admin key to be
    /// created (handed to the requester now, valid only once approved). The caller has checked the operation can run.
    /// </summary>
    public async Task<PendingApproval> RequestAsync(string operation, ApprovalParameters parameters, string? secret, string requester, string? source, CancellationToken cancellationToken = default)
    {
        RefuseWhileReadOnly();
        var now = _now();
        var approval = new PendingApproval(NewId(), operation, parameters, requester, now, now + Ttl, ApprovalState.Pending, null, null);
        await _db.WriteAsync((connection, transaction) =>
        {
            ApprovalStore.Insert(connection, transaction, approval, secret);
            return true;
        }, cancellationToken);
        await AppendAsync(requester, "approval:requested", approval, "allowed", source);
        return approval;
    }

    /// <summary>
    /// Approves and executes: the operation and the approval's new state commit together, or neither does. Refused
    /// (and audited) for the requester itself, for an unknown, decided or expired approval, and when the operation can no
    /// longer run (a bucket that is no longer empty, say), which leaves the approval pending.
    /// </summary>
    /// <remarks>The approver is an authenticated, active admin key (the caller checks that).</remarks>
    public async Task<PendingApproval> ApproveAsync(string approvalId, string approver, string? source, CancellationToken cancellationToken = default)
    {
        RefuseWhileReadOnly();
        var now = _now();
        Decision decision;
        try
        {
            decision = await _db.WriteAsync((connection, transaction) =>
            {
                var (approval, refusal) = Open(connection, transaction, approvalId, now);
                if (refusal is not null)
                {
                    return new Decision(approval, refusal, null);
                }

                if (string.Equals(approval!.Requester, approver, StringComparison.Ordinal))
                {
                    return new Decision(approval, ApprovalRefusedException.SelfApproval(approval), null);
                }

                var after = _operations.Execute(connection, transaction, approval, ApprovalStore.Find(connection, transaction, approvalId)!.Value.Secret);
                ApprovalStore.Decide(connection, transaction, approvalId, ApprovalState.Approved, approver, now);
                return new Decision(approval with { State = ApprovalState.Approved, DecidedBy = approver, Decided = now }, null, after);
            }, cancellationToken);
        }
        catch (ApprovalRefusedException e)
        {
            await RefusedAsync(approver, "approval:approve", approvalId, e, source);
            throw;
        }
        catch (Ztdr.S3.Errors.S3Exception e)
        {
            var refusal = ApprovalRefusedException.CannotRun(e.Error.Code, e.Error.Status, $"approval {approvalId} cannot run now ({e.Error.Code}: {e.Message}); it stays pending");
            await RefusedAsync(approver, "approval:approve", approvalId, refusal, source);
            throw refusal;
        }

        return await FinishAsync(decision, approver, "approval:approved", source);
    }

    /// <summary>Rejects a pending approval; the requester may withdraw its own request this way.</summary>
    public async Task<PendingApproval> RejectAsync(string approvalId, string decider, string? source, CancellationToken cancellationToken = default)
    {
        RefuseWhileReadOnly();
        var now = _now();
        var decision = await _db.WriteAsync((connection, transaction) =>
        {
            var (approval, refusal) = Open(connection, transaction, approvalId, now);
            if (refusal is not null)
            {
                return new Decision(approval, refusal, null);
            }

            ApprovalStore.Decide(connection, transaction, approvalId, ApprovalState.Rejected, decider, now);
            return new Decision(approval! with { State = ApprovalState.Rejected, DecidedBy = decider, Decided = now }, null, null);
        }, cancellationToken);
        return await FinishAsync(decision, decider, "approval:rejected", source);
    }

    /// <summary>Every approval, oldest first; pending ones past their expiry are marked expired (and audited) first.</summary>
    public async Task<IReadOnlyList<PendingApproval>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (_audit.ReadOnlyReason is not null)
        {
            // Read-only: nothing may change without its record, so expiry is only shown, not stored.
            return _db.Read(connection => ApprovalStore.List(connection, null));
        }

        var now = _now();
        var (all, expired) = await _db.WriteAsync((connection, transaction) =>
        {
            var expired = new List<PendingApproval>();
            foreach (var approval in ApprovalStore.List(connection, transaction))
            {
                if (approval.State == ApprovalState.Pending && now >= approval.Expires)
                {
                    ApprovalStore.Decide(connection, transaction, approval.ApprovalId, ApprovalState.Expired, null, now);
                    expired.Add(approval with { State = ApprovalState.Expired, Decided = now });
                }
            }

            return (ApprovalStore.List(connection, transaction), expired);
        }, cancellationToken);
        foreach (var approval in expired)
        {
            await AppendAsync(AuditLog.VaultPrincipal, "approval:expired", approval, "allowed", "local");
        }

        return all;
    }

    /// <summary>How many approvals wait for a decision and have not expired (for health; reads only).</summary>
    public int PendingCount()
    {
        var now = _now();
        return _db.Read(connection => ApprovalStore.List(connection, null)).Count(a => a.State == ApprovalState.Pending && now < a.Expires);
    }

    /// <summary>Audits a refusal of a sensitive request that never became an approval (an unsigned socket caller, say).</summary>
    public Task RefusedRequestAsync(string principal, string operation, string? bucket, string detail, ApprovalRefusedException refusal, string? source) =>
        AppendRefusalAsync(new AuditEvent(_now(), principal, "approval:request", bucket, $"{operation} {detail}", null, "denied:" + refusal.Code, source, null));

    /// <summary>Audits an operation that ran at once on the management plane (keys created or revoked without approval).</summary>
    public Task AuditImmediateAsync(string principal, string operation, string detail, string? source) =>
        _audit.AppendAsync(new AuditEvent(_now(), principal, operation, null, detail, null, "allowed", source, null));

    private async Task<PendingApproval> FinishAsync(Decision decision, string principal, string operation, string? source)
    {
        if (decision.Refusal is { } refusal)
        {
            if (refusal.Code == "ApprovalExpired")
            {
                await AppendAsync(AuditLog.VaultPrincipal, "approval:expired", decision.Approval! with { State = ApprovalState.Expired }, "allowed", "local");
            }

            var op = operation == "approval:approved" ? "approval:approve" : "approval:reject";
            await RefusedAsync(principal, op, decision.Approval?.ApprovalId ?? "-", refusal, source, decision.Approval);
            throw refusal;
        }

        // Committed: what remains (removing a deleted bucket's part files, restoring the clock) only follows the commit.
        decision.After?.Invoke();
        await AppendAsync(principal, operation, decision.Approval!, "allowed", source);
        return decision.Approval!;
    }

    /// <summary>Loads a pending approval inside a write transaction; an expired one is marked expired and refused.</summary>
    private static (PendingApproval? Approval, ApprovalRefusedException? Refusal) Open(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string approvalId, DateTimeOffset now)
    {
        if (ApprovalStore.Find(connection, transaction, approvalId) is not { } found)
        {
            return (null, ApprovalRefusedException.NoSuchApproval(approvalId));
        }

        var approval = found.Approval;
        if (approval.State != ApprovalState.Pending)
        {
            return (approval, ApprovalRefusedException.NotPending(approval));
        }

        if (now >= approval.Expires)
        {
            ApprovalStore.Decide(connection, transaction, approvalId, ApprovalState.Expired, null, now);
            return (approval, ApprovalRefusedException.Expired(approval));
        }

        return (approval, null);
    }

    /// <summary>
    /// Refuses with XVaultStorageFull while the audit log accepts no records: no change (approval or immediate key
    /// operation) may commit without its record.
    /// </summary>
    public void RefuseWhileReadOnly()
    {
        if (_audit.ReadOnlyReason is { } reason)
        {
            throw ApprovalRefusedException.ReadOnly(reason);
        }
    }

    private Task RefusedAsync(string principal, string operation, string approvalId, ApprovalRefusedException refusal, string? source, PendingApproval? approval = null) =>
        AppendRefusalAsync(new AuditEvent(_now(), principal, operation, approval?.Parameters.Bucket, approval is null ? $"approval {approvalId}" : Detail(approval), null, "denied:" + refusal.Code, source, approvalId));

    /// <summary>A refusal changed nothing; a log that takes no records costs only its record (as on the S3 plane).</summary>
    private async Task AppendRefusalAsync(AuditEvent auditEvent)
    {
        try
        {
            await _audit.AppendAsync(auditEvent);
        }
        catch (AuditLogUnavailableException e)
        {
            _logger.LogWarning("refusal not audited ({Reason}): {Principal} {Operation} {Outcome} {Detail}", e.Message, auditEvent.Principal, auditEvent.Operation, auditEvent.Outcome, auditEvent.Key);
        }
    }

    private Task AppendAsync(string principal, string operation, PendingApproval approval, string outcome, string? source) =>
        _audit.AppendAsync(new AuditEvent(_now(), principal, operation, approval.Parameters.Bucket, Detail(approval), null, outcome, source, approval.ApprovalId));

    /// <summary>The audit record's detail (in its key field, as for clock records): the approval, its operation and parameters.</summary>
    private static string Detail(PendingApproval approval) =>
        $"approval {approval.ApprovalId} {approval.Operation} {approval.Parameters.Summary()} requested by {approval.Requester}, expires {approval.Expires:O}";

    private static string NewId() => "ap" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private sealed record Decision(PendingApproval? Approval, ApprovalRefusedException? Refusal, Action? After);
}
