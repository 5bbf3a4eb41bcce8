namespace Ztdr.Vault.Approvals;

/// <summary>
/// A refused step of four-eyes approval, or an approved operation that could not run: a stable code, an HTTP status and
/// a message that says what to do. The management API answers with exactly these (docs/approvals.md lists the codes).
/// </summary>
public sealed class ApprovalRefusedException : InvalidOperationException
{
    public ApprovalRefusedException(string code, int status, string message)
        : base(message)
    {
        Code = code;
        Status = status;
    }

    public string Code { get; }

    public int Status { get; }

    public static ApprovalRefusedException NoSuchApproval(string id) =>
        new("NoSuchApproval", 404, $"there is no approval '{id}' (list them with 'ztdr-vault approvals list')");

    public static ApprovalRefusedException NotPending(PendingApproval approval) =>
        new("ApprovalNotPending", 409, $"approval {approval.ApprovalId} is {approval.State.ToString().ToLowerInvariant()} already; request the operation again if it is still wanted");

    public static ApprovalRefusedException Expired(PendingApproval approval) =>
        new("ApprovalExpired", 409, $"approval {approval.ApprovalId} expired at {approval.Expires:O} and can no longer be approved; request the operation again");

    public static ApprovalRefusedException SelfApproval(PendingApproval approval) =>
        new("SelfApproval", 403, $"key {approval.Requester} requested approval {approval.ApprovalId} and cannot approve it; a second, distinct admin key must");

    public static ApprovalRefusedException AdminKeyRequired(string what) =>
        new("AdminKeyRequired", 403, $"{what} needs an admin key's signature, not only access to the management socket: pass --profile with an admin key's profile (docs/approvals.md)");

    public static ApprovalRefusedException ReadOnly(string reason) =>
        new("XVaultStorageFull", 507, $"the vault is read-only ({reason}); nothing is requested or approved until space is freed and it restarts");

    public static ApprovalRefusedException CannotRun(string code, int status, string message) => new(code, status, message);
}
