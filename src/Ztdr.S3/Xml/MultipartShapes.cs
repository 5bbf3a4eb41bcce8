namespace Ztdr.S3.Xml;

/// <summary>
/// Flexible-checksum values (base64 of the big-endian digest), written as ChecksumCRC32 ... ChecksumSHA256.
/// <see cref="Type"/> is COMPOSITE or FULL_OBJECT where the shape carries ChecksumType.
/// </summary>
public sealed record S3Checksums
{
    public string? Crc32 { get; init; }

    public string? Crc32C { get; init; }

    public string? Crc64Nvme { get; init; }

    public string? Sha1 { get; init; }

    public string? Sha256 { get; init; }

    public string? Type { get; init; }
}

public sealed record InitiateMultipartUploadResult(string Bucket, string Key, string UploadId);

/// <summary>One Part of a CompleteMultipartUpload request. ETag is bare: surrounding quotes are removed when parsing.</summary>
public sealed record CompletedPart(int PartNumber, string ETag, S3Checksums? Checksums);

/// <summary>Request body of CompleteMultipartUpload: the parts in the order the client listed them (never empty).</summary>
public sealed record CompleteMultipartUpload(IReadOnlyList<CompletedPart> Parts);

public sealed record CompleteMultipartUploadResult(string Location, string Bucket, string Key, string ETag)
{
    public S3Checksums? Checksums { get; init; }
}

/// <summary>Response of UploadPartCopy. ChecksumType is not part of this shape; Checksums.Type is ignored.</summary>
public sealed record CopyPartResult(string ETag, DateTimeOffset LastModified)
{
    public S3Checksums? Checksums { get; init; }
}

public sealed record ListedPart(int PartNumber, DateTimeOffset LastModified, string ETag, long Size)
{
    public S3Checksums? Checksums { get; init; }
}

public sealed record ListPartsResult
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    public int PartNumberMarker { get; init; }

    public int NextPartNumberMarker { get; init; }

    public int MaxParts { get; init; } = 1000;

    public bool IsTruncated { get; init; }

    public IReadOnlyList<ListedPart> Parts { get; init; } = [];

    public required S3Owner Initiator { get; init; }

    public required S3Owner Owner { get; init; }

    public string StorageClass { get; init; } = "STANDARD";

    public string? ChecksumAlgorithm { get; init; }

    public string? ChecksumType { get; init; }
}

public sealed record ListedUpload(string Key, string UploadId, S3Owner Initiator, S3Owner Owner, DateTimeOffset Initiated)
{
    public string StorageClass { get; init; } = "STANDARD";

    public string? ChecksumAlgorithm { get; init; }
}

public sealed record ListMultipartUploadsResult
{
    public required string Bucket { get; init; }

    public string KeyMarker { get; init; } = "";

    public string UploadIdMarker { get; init; } = "";

    public string NextKeyMarker { get; init; } = "";

    public string NextUploadIdMarker { get; init; } = "";

    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    public int MaxUploads { get; init; } = 1000;

    public bool IsTruncated { get; init; }

    public ListEncodingType EncodingType { get; init; }

    public IReadOnlyList<ListedUpload> Uploads { get; init; } = [];

    public IReadOnlyList<string> CommonPrefixes { get; init; } = [];
}
