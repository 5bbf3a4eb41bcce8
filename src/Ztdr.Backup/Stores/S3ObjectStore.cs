using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ztdr.Backup.Stores;

/// <summary>
/// The port over any S3 service with Object Lock (ztdr-vault, Ceph RGW, AWS S3, MinIO), through AWSSDK.S3. The bucket
/// must have versioning and Object Lock enabled for <see cref="StoreCapabilities.Immutable"/> to be true in practice;
/// <c>assess</c> checks that, this type trusts the server to enforce what it promises.
/// </summary>
/// <remarks>
/// Write-once is a conditional PUT (<c>If-None-Match: *</c>). A service that ignores the header would create a new
/// version instead of failing; in a lock bucket the earlier version stays locked and listed versions reveal it.
/// Deletes remove versions by version id (oldest first, so a partial failure never exposes older bytes), never
/// with a delete marker that would hide data without freeing it.
/// </remarks>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _maxRetries;
    private readonly bool _tls;

    public S3ObjectStore(S3StoreOptions options)
    {
        _maxRetries = options.MaxRetries;
        _tls = options.Endpoint.Scheme == Uri.UriSchemeHttps;
        _bucket = options.Bucket;
        _prefix = options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";
        if (_prefix.Length > 0)
        {
            ObjectNames.ValidatePrefix(_prefix);
        }

        _client = S3Clients.Create(options);
        Capabilities = new StoreCapabilities(
            Immutable: true,
            $"S3 {options.Endpoint} bucket '{_bucket}'" + (_prefix.Length > 0 ? $" prefix '{_prefix}'" : string.Empty),
            KeepsVersions: true);
    }

    public StoreCapabilities Capabilities { get; }

    public Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        return PutAsync(name, StoreContent.AsStream(content), UploadDigest.Of(content.Span), retainUntil, cancellationToken);
    }

    public async Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        var digest = content.CanSeek ? await UploadDigest.OfAsync(content, cancellationToken) : null;
        await PutAsync(name, content, digest, retainUntil, cancellationToken);
    }

    /// <summary>
    /// The conditional PUT. The body's digests travel as plain headers, so the server verifies the bytes it received
    /// against the bytes ztdr meant to send (BadDigest otherwise) and nothing about the body framing is new: Content-MD5
    /// is what every S3 implementation checks (Ceph RGW 16 checks nothing else), x-amz-checksum-crc32 is what newer ones
    /// also check and keep, so a later GET is verified against it. AWS requires one of the two on a PUT with Object Lock
    /// parameters. <paramref name="digest"/> is null for a stream that cannot be read twice: then the SDK streams a
    /// CRC32 trailer instead, the one framing left that carries a checksum without a second pass.
    /// </summary>
    private async Task PutAsync(string name, Stream content, UploadDigest? digest, DateTimeOffset? retainUntil, CancellationToken cancellationToken)
    {
        var start = content.CanSeek ? content.Position : 0;
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + name,
            InputStream = content,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
            IfNoneMatch = "*",
        };
        if (digest is not null)
        {
            request.MD5Digest = digest.Md5;
            request.ChecksumCRC32 = digest.Crc32;

            // Over TLS the signed digest headers already bind the body, so the SDK's default of signing every 80 KiB
            // chunk (SHA-256 and an HMAC over all the bytes again) would only cost CPU: UNSIGNED-PAYLOAD, as AWS's own
            // SDKs send over HTTPS. Over plain HTTP the chunk signatures stay: there they are the request's integrity.
            request.DisablePayloadSigning = _tls;
        }
        else
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32;
        }

        if (retainUntil is { } until)
        {
            request.ObjectLockMode = ObjectLockMode.Compliance;
            request.ObjectLockRetainUntilDate = until.UtcDateTime;
        }

        try
        {
            await _client.PutObjectAsync(request, cancellationToken);
            return;
        }
        catch (Exception e) when (S3ErrorTranslation.IsAlreadyExists(e))
        {
            await PutExistingAsync(name, content, start, retainUntil, cancellationToken);
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }
    }

    public Task<Stream> GetAsync(string name, ByteRange? range = null, CancellationToken cancellationToken = default) =>
        GetVersionAsync(name, null, range, cancellationToken);

    public async Task<Stream> GetVersionAsync(string name, string? versionId, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        var response = await GetResponseAsync(name, range?.Offset ?? 0, range?.Last, versionId, cancellationToken);
        if (response is null)
        {
            // The range starts at or past the end: the port clamps, so that is no bytes.
            return new MemoryStream([], writable: false);
        }

        // A body cut off mid-way is asked for again from where it broke, pinned to the version first read.
        var start = range?.Offset ?? 0;
        versionId = response.VersionId;
        return new ResumingReadStream(
            Body(response, name),
            response.ContentLength,
            _maxRetries,
            async (read, token) => await GetResponseAsync(name, start + read, range?.Last, versionId, token) is { } again
                ? Body(again, name)
                : new MemoryStream([], writable: false));
    }

    /// <summary>The GET response for bytes <paramref name="from"/>..<paramref name="last"/> (null: to the end); null when the range starts past the end.</summary>
    private async Task<GetObjectResponse?> GetResponseAsync(string name, long from, long? last, string? versionId, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = _prefix + name };
        if (!string.IsNullOrEmpty(versionId) && versionId != "null")
        {
            request.VersionId = versionId;
        }

        if (last is { } end)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(from, end);
        }
        else if (from > 0)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange($"bytes={from}-");
        }

        try
        {
            return await _client.GetObjectAsync(request, cancellationToken);
        }
        catch (Exception e) when (request.ByteRange is not null && S3ErrorTranslation.IsStatus(e, HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange"))
        {
            return null;
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }
    }

    private RangeReadStream Body(GetObjectResponse response, string name) => new(
        response.ResponseStream,
        long.MaxValue,
        owner: response,
        translate: e => e is AmazonClientException or AmazonServiceException or IOException or HttpRequestException or System.Net.Sockets.SocketException ? S3ErrorTranslation.Translate(e, _bucket, name) : null);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectNames.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, cancellationToken);
            }
            catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
            {
                throw S3ErrorTranslation.Translate(e, _bucket, null);
            }

            // AWSSDK v4 leaves collections null when a page is empty.
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new ObjectInfo(item.Key[_prefix.Length..], item.Size ?? 0);
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectNames.ValidatePrefix(prefix);
        var request = new ListVersionsRequest { BucketName = _bucket, Prefix = _prefix + prefix };
        while (true)
        {
            ListVersionsResponse page;
            try
            {
                page = await _client.ListVersionsAsync(request, cancellationToken);
            }
            catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
            {
                throw S3ErrorTranslation.Translate(e, _bucket, null);
            }

            // S3 lists keys in order and each key's versions newest first, delete markers among them.
            foreach (var version in page.Versions ?? [])
            {
                yield return new ObjectVersion(
                    version.Key[_prefix.Length..],
                    version.VersionId,
                    version.Size ?? 0,
                    version.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc).ToUniversalTime()) : null,
                    version.IsDeleteMarker == true);
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + name }, cancellationToken);
            return true;
        }
        catch (AmazonServiceException e) when ((int)e.StatusCode is >= 400 and < 500 && !cancellationToken.IsCancellationRequested)
        {
            // A HEAD answer has no body, so S3's error code is lost: a missing key and a missing bucket are both a
            // bare 404, a wrong secret and an unknown key both a bare 403. One ranged GET recovers the code, so the
            // user is told which (this runs once per command, on the config).
            var detailed = await ErrorOfOneByteGetAsync(name, cancellationToken);
            if (detailed is null || S3ErrorTranslation.IsStatus(detailed, HttpStatusCode.RequestedRangeNotSatisfiable, "InvalidRange"))
            {
                return true;
            }

            if (S3ErrorTranslation.IsStatus(detailed, HttpStatusCode.NotFound, "NoSuchKey") && !IsNoSuchBucket(detailed))
            {
                return false;
            }

            throw S3ErrorTranslation.Translate(detailed, _bucket, name);
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectNames.Validate(name);
        var key = _prefix + name;
        var versions = new List<ObjectVersion>();
        await foreach (var version in ListVersionsAsync(name, cancellationToken))
        {
            if (version.Name == name)
            {
                versions.Add(version);
            }
        }

        // Listed newest first; remove oldest first so a refused delete never leaves older bytes visible.
        versions.Reverse();
        foreach (var version in versions)
        {
            try
            {
                await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key, VersionId = version.VersionId }, cancellationToken);
            }
            catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
            {
                if (e is AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } denied)
                {
                    throw StoreErrors.AccessDenied(
                        $"object '{name}' version {version.VersionId}",
                        $"{denied.ErrorCode}: the version is locked, or these credentials may not delete versions",
                        e);
                }

                throw S3ErrorTranslation.Translate(e, _bucket, name);
            }
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The idempotent retry rule: the same bytes already there is success, with retention made to cover.</summary>
    private async Task PutExistingAsync(string name, Stream content, long start, DateTimeOffset? retainUntil, CancellationToken cancellationToken)
    {
        var ours = await StoreContent.HashFromAsync(content, start, cancellationToken) ?? throw StoreErrors.AlreadyExists(name);
        byte[] theirs;
        await using (var existing = await GetAsync(name, null, cancellationToken))
        {
            theirs = await StoreContent.HashAsync(existing, cancellationToken);
        }

        if (!ours.AsSpan().SequenceEqual(theirs))
        {
            throw StoreErrors.AlreadyExists(name);
        }

        if (retainUntil is { } date)
        {
            await ExtendRetentionAsync(name, date, cancellationToken);
        }
    }

    /// <summary>The S3 error a one-byte GET of <paramref name="name"/> gets, or null when it succeeds.</summary>
    private async Task<AmazonServiceException?> ErrorOfOneByteGetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = _prefix + name, ByteRange = new Amazon.S3.Model.ByteRange(0, 0) },
                cancellationToken);
            return null;
        }
        catch (AmazonServiceException e)
        {
            return e;
        }
        catch (Exception e) when (S3ErrorTranslation.IsStoreFailure(e, cancellationToken))
        {
            throw S3ErrorTranslation.Translate(e, _bucket, name);
        }
    }

    private static bool IsNoSuchBucket(Exception e) => e is AmazonServiceException { ErrorCode: "NoSuchBucket" };
}
