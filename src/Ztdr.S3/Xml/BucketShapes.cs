namespace Ztdr.S3.Xml;

/// <summary>The Owner / Initiator element. DisplayName is omitted when null (AWS is retiring it).</summary>
public sealed record S3Owner(string Id, string? DisplayName = null);

public sealed record BucketEntry(string Name, DateTimeOffset CreationDate);

/// <summary>Response of ListBuckets (GET /).</summary>
public sealed record ListAllMyBucketsResult(S3Owner Owner, IReadOnlyList<BucketEntry> Buckets);

/// <summary>Request body of CreateBucket; <see cref="LocationConstraint"/> is null when the body is empty or omits it.</summary>
public sealed record CreateBucketConfiguration(string? LocationConstraint);

/// <summary>Response of GetBucketLocation; null or empty region is written as an empty element, meaning us-east-1.</summary>
public sealed record BucketLocation(string? Region);

public enum VersioningStatus
{
    Enabled,
    Suspended,
}

/// <summary>
/// Request body of PutBucketVersioning and response of GetBucketVersioning. A bucket whose versioning was
/// never set has a null <see cref="Status"/>, and the response then carries no Status element.
/// MfaDelete is not modelled: the vault does not support MFA delete.
/// </summary>
public sealed record VersioningConfiguration(VersioningStatus? Status);
