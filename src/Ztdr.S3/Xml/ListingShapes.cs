namespace Ztdr.S3.Xml;

/// <summary>The listing's <c>encoding-type</c> request parameter; <see cref="Url"/> makes the writer percent-encode key-like values.</summary>
public enum ListEncodingType
{
    None,
    Url,
}

/// <summary>One Contents entry of ListObjects (V1 and V2). ETag is stored bare or quoted; the writer quotes it.</summary>
public sealed record ListedObject(string Key, DateTimeOffset LastModified, string ETag, long Size)
{
    public string StorageClass { get; init; } = "STANDARD";

    /// <summary>Written only when set (ListObjectsV2 <c>fetch-owner=true</c>; V1 always sets it).</summary>
    public S3Owner? Owner { get; init; }

    public string? ChecksumAlgorithm { get; init; }

    public string? ChecksumType { get; init; }
}

/// <summary>ListBucketResult for ListObjectsV2. KeyCount is not stored: the writer counts Contents and CommonPrefixes.</summary>
public sealed record ListObjectsV2Result
{
    public required string Name { get; init; }

    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    public int MaxKeys { get; init; } = 1000;

    public bool IsTruncated { get; init; }

    public string? ContinuationToken { get; init; }

    public string? NextContinuationToken { get; init; }

    public string? StartAfter { get; init; }

    public ListEncodingType EncodingType { get; init; }

    public IReadOnlyList<ListedObject> Contents { get; init; } = [];

    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}

/// <summary>ListBucketResult for ListObjects (V1). NextMarker is expected only when a delimiter was given.</summary>
public sealed record ListObjectsV1Result
{
    public required string Name { get; init; }

    public string Prefix { get; init; } = "";

    public string Marker { get; init; } = "";

    public string? NextMarker { get; init; }

    public int MaxKeys { get; init; } = 1000;

    public string? Delimiter { get; init; }

    public bool IsTruncated { get; init; }

    public ListEncodingType EncodingType { get; init; }

    public IReadOnlyList<ListedObject> Contents { get; init; } = [];

    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}

/// <summary>An entry of ListObjectVersions: either a <see cref="ListedVersion"/> or a <see cref="ListedDeleteMarker"/>.</summary>
public abstract record ListedVersionEntry(string Key, string VersionId, bool IsLatest, DateTimeOffset LastModified)
{
    public S3Owner? Owner { get; init; }
}

public sealed record ListedVersion(string Key, string VersionId, bool IsLatest, DateTimeOffset LastModified, string ETag, long Size)
    : ListedVersionEntry(Key, VersionId, IsLatest, LastModified)
{
    public string StorageClass { get; init; } = "STANDARD";

    public string? ChecksumAlgorithm { get; init; }

    public string? ChecksumType { get; init; }
}

public sealed record ListedDeleteMarker(string Key, string VersionId, bool IsLatest, DateTimeOffset LastModified)
    : ListedVersionEntry(Key, VersionId, IsLatest, LastModified);

/// <summary>
/// ListVersionsResult. <see cref="Entries"/> is written in the given order, versions and delete markers
/// interleaved (key ascending, newest first within a key), because botocore reassembles that order.
/// </summary>
public sealed record ListVersionsResult
{
    public required string Name { get; init; }

    public string Prefix { get; init; } = "";

    public string KeyMarker { get; init; } = "";

    public string VersionIdMarker { get; init; } = "";

    public string? NextKeyMarker { get; init; }

    public string? NextVersionIdMarker { get; init; }

    public int MaxKeys { get; init; } = 1000;

    public string? Delimiter { get; init; }

    public bool IsTruncated { get; init; }

    public ListEncodingType EncodingType { get; init; }

    public IReadOnlyList<ListedVersionEntry> Entries { get; init; } = [];

    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}
