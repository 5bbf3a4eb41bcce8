using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Management;

// The JSON shapes of the management API (/admin/v1). Adding a property is compatible; renaming or removing one
// needs /admin/v2. There is deliberately no shape that names an object, a version or a lock: nothing on the
// management plane can shorten a retention period or remove a locked version.

/// <summary>POST /admin/v1/keys. <see cref="ProfileName"/> only labels the key in the vault's log.</summary>
public sealed record CreateKeyRequest(IReadOnlyList<string> Roles, IReadOnlyList<string> Buckets, string? ProfileName);

/// <summary>The answer to a key creation: the only time the vault ever sends a secret.</summary>
public sealed record CreatedKey(string AccessKeyId, string SecretAccessKey, IReadOnlyList<string> Roles, IReadOnlyList<string> Buckets, DateTimeOffset Created)
{
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

    /// <summary>Data files in quarantine/ (no version named them at start); run <c>ztdr-vault recover</c>.</summary>
    public int? QuarantinedFiles { get; init; }
}

/// <summary>Every non-2xx answer: a stable code for programs and a message that tells a person what to do.</summary>
public sealed record ManagementErrorBody(string Code, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ManagementErrorBody))]
public sealed partial class ManagementJson : JsonSerializerContext;
