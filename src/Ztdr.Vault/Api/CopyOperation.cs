using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;
using Ztdr.S3.Xml;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>
/// Server-side copies (CopyObject, UploadPartCopy). The bytes are copied into a new file rather than shared, so a
/// data file always belongs to exactly one version and removing one version can never strip another of its data.
/// </summary>
internal sealed class CopyOperation
{
    private readonly VaultStore _store;
    private readonly ObjectReader _reader;

    public CopyOperation(VaultStore store, ObjectReader reader)
    {
        _store = store;
        _reader = reader;
    }

    public async Task CopyObjectAsync(S3Call call)
    {
        call.Require(S3Action.PutObject);
        var bucket = _store.Buckets.Get(call.Bucket);
        var source = ResolveSource(call);

        // The source's lock is never copied: the destination gets the request's lock headers or its bucket's default.
        var (retention, legalHold) = ObjectOperations.RequestedLock(call, bucket);
        var replace = string.Equals(call.Header("x-amz-metadata-directive"), "REPLACE", StringComparison.OrdinalIgnoreCase);
        if (!replace && source.Bucket == bucket.Name && source.Key == call.ObjectKey && call.Target.Get("versionId") is null)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        var headers = replace ? ObjectHeaders.FromRequest(call) : source.Headers;
        var algorithm = source.Checksum is { Type: "FULL_OBJECT" } c && ChecksumAlgorithmNames.TryParseWireName(c.Algorithm, out var a) ? a : (ChecksumAlgorithm?)null;
        var (staged, etag, checksum) = await StageCopyAsync(source, new ByteRange(0, source.Size), algorithm, call.Aborted);
        var mutation = await _store.Commits.PutVersionAsync(
            staged,
            etag,
            segment => new NewVersion(bucket.Name, call.ObjectKey, segment.Size, etag, headers, checksum, [segment]) { Retention = retention, LegalHold = legalHold, Writer = call.Key.AccessKeyId },
            call.Now);
        call.AuditVersionId = mutation.Result.VersionId;
        call.AuditLock = Audit.AuditLock.Created(mutation.Result.Lock);
        ObjectOperations.WriteVersionHeader(call, bucket, mutation.Result.VersionId);
        var sourceBucket = _store.Buckets.Get(source.Bucket);
        if (sourceBucket.Versioning != VersioningState.Unversioned)
        {
            call.Http.Response.Headers["x-amz-copy-source-version-id"] = source.VersionId;
        }

        await Responses.XmlAsync(call, ObjectXmlWriter.ToBytes(new CopyObjectResult(etag, mutation.Result.LastModified)));
    }

    /// <summary>Stages a byte range of <paramref name="source"/> as a new file, hashing it on the way.</summary>
    public async Task<(StagedFile File, string ETag, StoredChecksum? Checksum)> StageCopyAsync(ObjectVersion source, ByteRange range, ChecksumAlgorithm? algorithm, CancellationToken cancellationToken)
    {
        await using var stream = _reader.OpenRange(source.Segments, range.Start, range.Length, cancellationToken);
        using var hashing = new HashingReadStream(stream, computeSha256: false, algorithm);
        var staged = await _store.Files.StageAsync(hashing, long.MaxValue, cancellationToken);
        var etag = $"\"{hashing.GetMd5Hex()}\"";
        StoredChecksum? checksum = algorithm is { } alg ? new StoredChecksum(alg.WireName(), hashing.GetChecksumBase64()!, "FULL_OBJECT") : null;
        return (staged, etag, checksum);
    }

    /// <summary>The source version named by x-amz-copy-source, after its x-amz-copy-source-if-* conditions.</summary>
    public ObjectVersion ResolveSource(S3Call call)
    {
        call.Require(S3Action.GetObject);
        var header = call.Header("x-amz-copy-source")!;
        var question = header.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? header : header[..question];
        string? versionId = null;
        if (question >= 0)
        {
            foreach (var pair in header[(question + 1)..].Split('&'))
            {
                if (pair.StartsWith("versionId=", StringComparison.Ordinal))
                {
                    versionId = RequestTarget.PercentDecode(pair[10..], plusIsSpace: false);
                }
            }
        }

        var decoded = RequestTarget.PercentDecode(path, plusIsSpace: false).TrimStart('/');
        var slash = decoded.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == decoded.Length - 1)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey").With("ArgumentName", "x-amz-copy-source");
        }

        var sourceBucket = decoded[..slash];
        var sourceKey = decoded[(slash + 1)..];
        RequestTarget.ValidateKey(sourceKey);
        if (!call.Key.CoversBucket(sourceBucket))
        {
            throw new S3Exception(S3Errors.AccessDenied);
        }

        _ = _store.Buckets.Get(sourceBucket);
        if (versionId is not null && !VersionIds.IsWellFormed(versionId))
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Invalid version id specified").With("ArgumentName", "x-amz-copy-source");
        }

        var version = _store.Objects.Find(sourceBucket, sourceKey, versionId);
        if (version is null || (version.IsDeleteMarker && versionId is null))
        {
            throw versionId is null
                ? new S3Exception(S3Errors.NoSuchKey).With("Key", sourceKey)
                : new S3Exception(S3Errors.NoSuchVersion).With("Key", sourceKey).With("VersionId", versionId);
        }

        if (version.IsDeleteMarker)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "The source of a copy request may not specifically refer to a delete marker by version id.");
        }

        Preconditions.Check(
            version,
            call.Header("x-amz-copy-source-if-match"),
            call.Header("x-amz-copy-source-if-none-match"),
            call.Header("x-amz-copy-source-if-modified-since"),
            call.Header("x-amz-copy-source-if-unmodified-since"),
            forCopySource: true);
        return version;
    }
}
