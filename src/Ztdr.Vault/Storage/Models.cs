using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

public enum VersioningState
{
    /// <summary>Never enabled: one "null" version per key, overwritten in place.</summary>
    Unversioned = 0,
    Enabled = 1,
    Suspended = 2,
}

public sealed record BucketRecord(string Name, DateTimeOffset Created, VersioningState Versioning, bool ObjectLockEnabled)
{
    /// <summary>The bucket's default retention rule (Object Lock configuration), if any.</summary>
    public DefaultRetention? DefaultRetention { get; init; }

    /// <summary>Maximum retention, write-once names and quota, judged by the lock engine on every write.</summary>
    public BucketLimits Limits { get; init; } = BucketLimits.None;
}

/// <summary>One stored piece of an object version: a whole single PUT, or one part of a completed multipart upload.</summary>
public sealed record Segment(string FileId, long Size, string PartETag);

/// <summary>The headers a client stored with an object and gets back on GET/HEAD.</summary>
public sealed record StoredHeaders(
    string? ContentType,
    string? ContentEncoding,
    string? ContentDisposition,
    string? ContentLanguage,
    string? CacheControl,
    string? Expires,
    IReadOnlyList<KeyValuePair<string, string>> UserMetadata)
{
    public static readonly StoredHeaders Empty = new(null, null, null, null, null, null, []);
}

public sealed record StoredChecksum(string Algorithm, string Value, string Type);

public sealed record ObjectVersion(
    long Sequence,
    string Bucket,
    string Key,
    string VersionId,
    bool IsDeleteMarker,
    bool IsLatest,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    StoredHeaders Headers,
    StoredChecksum? Checksum,
    IReadOnlyList<Segment> Segments)
{
    public const string NullVersionId = "null";

    public Retention? Retention { get; init; }

    /// <summary>Null when never set, true when on, false when released.</summary>
    public bool? LegalHold { get; init; }

    /// <summary>Access key id that wrote the version; null for delete markers and versions from before schema version 3.</summary>
    public string? Writer { get; init; }

    public VersionLockState Lock => new(Retention, LegalHold, IsDeleteMarker);
}

/// <summary>
/// A new version about to be published: data already durable in <see cref="Segments"/>. Explicit lock settings from
/// the request; without them the bucket's default retention applies at commit time.
/// </summary>
public sealed record NewVersion(
    string Bucket,
    string Key,
    long Size,
    string ETag,
    StoredHeaders Headers,
    StoredChecksum? Checksum,
    IReadOnlyList<Segment> Segments)
{
    public Retention? Retention { get; init; }

    public bool? LegalHold { get; init; }

    /// <summary>If-None-Match: * — publish only when the key has no current version (checked inside the commit).</summary>
    public bool RequireAbsent { get; init; }

    /// <summary>Access key id of the writer: its quota applies and the version's bytes count against it.</summary>
    public string? Writer { get; init; }
}

public sealed record MultipartUpload(
    string UploadId,
    string Bucket,
    string Key,
    DateTimeOffset Initiated,
    StoredHeaders Headers,
    string? ChecksumAlgorithm,
    string? ChecksumType)
{
    /// <summary>Lock settings captured from CreateMultipartUpload's headers, applied at completion.</summary>
    public Retention? Retention { get; init; }

    public bool? LegalHold { get; init; }
}

public sealed record UploadedPart(
    int PartNumber,
    string FileId,
    long Size,
    string ETag,
    string? Checksum,
    DateTimeOffset LastModified);

/// <summary>The result of a DELETE: what was removed or which delete marker was created.</summary>
public sealed record DeleteOutcome(string? VersionId, bool IsDeleteMarker)
{
    /// <summary>The lock state the metadata store held for a version this delete removed; null when none was removed.</summary>
    public VersionLockState? Removed { get; init; }
}

/// <summary>The result of a metadata mutation and the data files it left unreferenced (to delete after commit).</summary>
public sealed record Mutation<T>(T Result, IReadOnlyList<string> OrphanedFiles);
