using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Management;

// The JSON shapes of the management API (/admin/v1). Adding a property is compatible; renaming or removing one
// needs /admin/v2. There is deliberately no shape that names an object, a version or a lock: nothing on the
// management plane can shorten a retention period or remove a locked version. Sensitive operations (docs/approvals.md)
// answer 202 with the approval they wait in.

/// <summary>
/// POST /admin/v1/keys. <see cref="ProfileName"/> only labels the key in the vault's log. <see cref="QuotaBytes"/>, when
/// set, bounds the bytes the versions this key writes may hold (507 XVaultQuotaExceeded beyond it).
/// </summary>
public sealed record CreateKeyRequest(IReadOnlyList<string> Roles, IReadOnlyList<string> Buckets, string? ProfileName, long? QuotaBytes = null);

/// <summary>The answer to a key creation: the only time the vault ever sends a secret.</summary>
/// <remarks>
/// An admin key on a vault with two active admin keys already is only requested (202): <see cref="ApprovalId"/> names the
/// approval, and the key authenticates once a second admin key approves it.
/// </remarks>
public sealed record CreatedKey(string AccessKeyId, string SecretAccessKey, IReadOnlyList<string> Roles, IReadOnlyList<string> Buckets, DateTimeOffset Created)
{
    public string? ApprovalId { get; init; }

    // A record prints every property; a secret must never reach a log or an exception message through ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessKeyId = ").Append(AccessKeyId).Append(", SecretAccessKey = ***");
        return true;
    }
}

/// <summary>A key as listed: never its secret.</summary>
public sealed record KeyInfo(string AccessKeyId, IReadOnlyList<string> Roles, IReadOnlyList<string> Buckets, DateTimeOffset Created, DateTimeOffset? Revoked)
{
    /// <summary>Set when revoking an admin key was only requested (202): the approval it waits in.</summary>
    public string? ApprovalId { get; init; }

    public static KeyInfo From(AccessKey key) => new(key.AccessKeyId, RoleNames.Format(key.Roles), key.Buckets, key.Created, key.Revoked);
}

public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);

/// <summary>
/// GET /admin/v1/health. Status is "ok", or "degraded" when trusted time cannot be established, the wall clock moved
/// beyond the drift threshold while serving or had jumped at start, the last scrub found damage, or files wait in
/// quarantine.
/// </summary>
public sealed record HealthReport(string Status, string Version)
{
    public bool? ClockTrusted { get; init; }

    public DateTimeOffset? TrustedTime { get; init; }

    /// <summary>Wall clock minus trusted time, in seconds (grows with downtime, which never counts toward retention).</summary>
    public double? WallClockAheadSeconds { get; init; }

    public bool? ClockDriftExceeded { get; init; }

    /// <summary>At start the wall clock was behind trusted time, or further ahead than any downtime explains.</summary>
    public bool? WallClockJumpedAtStart { get; init; }

    public string? ClockUntrustedReason { get; init; }

    public DateTimeOffset? LastScrubFinished { get; init; }

    public int? LastScrubFindings { get; init; }

    public string? LastScrubError { get; init; }

    /// <summary>True while the vault refuses every change because its audit log accepts no records (no space).</summary>
    public bool? ReadOnly { get; init; }

    public string? ReadOnlyReason { get; init; }

    /// <summary>Sensitive operations waiting for a second admin key (docs/approvals.md); not a reason to degrade.</summary>
    public int? PendingApprovals { get; init; }

    /// <summary>Data files in quarantine/ (no version named them at start); run <c>ztdr-vault recover</c>.</summary>
    public int? QuarantinedFiles { get; init; }
}

/// <summary>One four-eyes approval as the management API shows it (GET /admin/v1/approvals; 202 answers).</summary>
public sealed record ApprovalInfo(
    string ApprovalId,
    string Operation,
    ApprovalParameters Parameters,
    string Requester,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    string State,
    string? DecidedBy,
    DateTimeOffset? Decided)
{
    public static ApprovalInfo From(PendingApproval a) =>
        new(a.ApprovalId, a.Operation, a.Parameters, a.Requester, a.Created, a.Expires, a.State.ToString().ToLowerInvariant(), a.DecidedBy, a.Decided);
}

public sealed record ApprovalList(IReadOnlyList<ApprovalInfo> Approvals);

/// <summary>POST /admin/v1/clock/trust: <see cref="TrustedTime"/> is true time now; null proposes the vault's wall clock.</summary>
public sealed record TrustClockRequest(DateTimeOffset? TrustedTime);

/// <summary>GET /admin/v1/buckets/NAME/limits. <see cref="MaxRetention"/> is "30d" or "10y", null for none.</summary>
public sealed record BucketLimitsInfo(string Bucket, string? MaxRetention, bool WriteOnce, long? QuotaBytes);

/// <summary>POST /admin/v1/buckets/NAME/limits: the bucket's new limits, both given (null: none).</summary>
public sealed record ChangeBucketLimitsRequest(string? MaxRetention, long? QuotaBytes);

/// <summary>Every non-2xx answer: a stable code for programs and a message that tells a person what to do.</summary>
public sealed record ManagementErrorBody(string Code, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ManagementErrorBody))]
[JsonSerializable(typeof(ApprovalInfo))]
[JsonSerializable(typeof(ApprovalList))]
[JsonSerializable(typeof(TrustClockRequest))]
[JsonSerializable(typeof(BucketLimitsInfo))]
[JsonSerializable(typeof(ChangeBucketLimitsRequest))]
public sealed partial class ManagementJson : JsonSerializerContext;
