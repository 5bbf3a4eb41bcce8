using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ztdr.Vault.Approvals;

/// <summary>
/// The operations that need two distinct admin keys (issue 12, item 6; docs/approvals.md). Their names are part of the
/// management API and of the audit chain: never rename one.
/// </summary>
public static class SensitiveOperation
{
    public const string CreateAdminKey = "create-admin-key";
    public const string RevokeAdminKey = "revoke-admin-key";
    public const string ChangeBucketLimits = "change-bucket-limits";
    public const string DeleteBucket = "delete-bucket";
    public const string ChangeObjectLockConfiguration = "change-object-lock-configuration";
    public const string TrustClock = "trust-clock";
}

/// <summary>Where an approval stands. The numbers are stored (approvals.state): never renumber.</summary>
public enum ApprovalState
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
    Expired = 3,
}

/// <summary>
/// What a sensitive operation will do once approved; only the properties its operation uses are set. Stored as JSON in
/// approvals.parameters and shown by <c>approvals list</c>, so it never holds a secret.
/// </summary>
public sealed record ApprovalParameters
{
    public string? AccessKeyId { get; init; }

    public IReadOnlyList<string>? Roles { get; init; }

    public IReadOnlyList<string>? Buckets { get; init; }

    public string? Bucket { get; init; }

    /// <summary>change-bucket-limits: the new maximum retention ("30d", "10y"); null keeps the bucket without one.</summary>
    public string? MaxRetention { get; init; }

    /// <summary>change-bucket-limits: the new quota in bytes; create-admin-key: the key's quota. Null means none.</summary>
    public long? QuotaBytes { get; init; }

    /// <summary>change-object-lock-configuration: the new default rule's mode ("GOVERNANCE", "COMPLIANCE"); null: no rule.</summary>
    public string? DefaultMode { get; init; }

    public int? DefaultDays { get; init; }

    public int? DefaultYears { get; init; }

    /// <summary>trust-clock: the time proposed as true time when the request was made.</summary>
    public DateTimeOffset? ProposedTime { get; init; }

    /// <summary>trust-clock: the vault's (untrusted) time when the request was made; time elapsed since is added on approval.</summary>
    public DateTimeOffset? VaultTimeAtRequest { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, ApprovalJson.Default.ApprovalParameters);

    public static ApprovalParameters FromJson(string json) =>
        JsonSerializer.Deserialize(json, ApprovalJson.Default.ApprovalParameters) ?? throw new InvalidDataException("empty approval parameters");

    /// <summary>One line for logs and audit records.</summary>
    public string Summary() => ToJson();
}

/// <summary>One request for a sensitive operation and what became of it. Times are the vault's trusted time.</summary>
public sealed record PendingApproval(
    string ApprovalId,
    string Operation,
    ApprovalParameters Parameters,
    string Requester,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    ApprovalState State,
    string? DecidedBy,
    DateTimeOffset? Decided);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApprovalParameters))]
internal sealed partial class ApprovalJson : JsonSerializerContext;
