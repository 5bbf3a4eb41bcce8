using System.Globalization;
using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>PutObject, GetObject, HeadObject, DeleteObject and DeleteObjects.</summary>
internal sealed class ObjectOperations
{
    private readonly VaultStore _store;
    private readonly ObjectReader _reader;
    private readonly RequestBodies _bodies;
    private readonly SmartObjectStorage _sosApi;
    private readonly VaultOptions _options;

    public ObjectOperations(VaultStore store, ObjectReader reader, RequestBodies bodies, TimeProvider time, VaultOptions options)
    {
        _store = store;
        _reader = reader;
        _bodies = bodies;
        _options = options;
        _sosApi = new SmartObjectStorage(store, time);
        Copy = new CopyOperation(store, reader);
    }

    public CopyOperation Copy { get; }

    public Task CopyObjectAsync(S3Call call) => Copy.CopyObjectAsync(call);

    public async Task PutObjectAsync(S3Call call)
    {
        var bucket = _store.Buckets.Get(call.Bucket);
        RefuseVirtualObject(call);
        var headers = ObjectHeaders.FromRequest(call);
        if (call.Header("if-none-match") == "*" && _store.Objects.Find(bucket.Name, call.ObjectKey, null) is { IsDeleteMarker: false })
        {
            throw new S3Exception(S3Errors.PreconditionFailed).With("Condition", "If-None-Match");
        }

        var body = await _bodies.StageAsync(call);
        var segment = _store.Files.Publish(body.File, body.ETag);
        Mutation<ObjectVersion> mutation;
        try
        {
            mutation = await _store.Objects.PutAsync(new NewVersion(bucket.Name, call.ObjectKey, segment.Size, body.ETag, headers, body.Checksum, [segment]), CancellationToken.None);
        }
        catch
        {
            _store.Files.Delete(segment.FileId);
            throw;
        }

        _store.DeleteFiles(mutation.OrphanedFiles);
        var response = call.Http.Response;
        response.Headers.ETag = body.ETag;
        WriteVersionHeader(call, bucket, mutation.Result.VersionId);
        if (body.Checksum is { } checksum)
        {
            response.Headers["x-amz-checksum-" + checksum.Algorithm.ToLowerInvariant()] = checksum.Value;
            response.Headers["x-amz-checksum-type"] = checksum.Type;
        }

        response.StatusCode = 200;
    }

    public async Task GetObjectAsync(S3Call call, bool headOnly)
    {
        var bucket = _store.Buckets.Get(call.Bucket);
        if (_options.SmartObjectStorageApi && _sosApi.TryGet(bucket, call.ObjectKey) is { } virtualObject)
        {
            await _sosApi.WriteAsync(call, virtualObject, headOnly);
            return;
        }

        var versionId = ParseVersionId(call);
        var version = _store.Objects.Find(bucket.Name, call.ObjectKey, versionId);
        if (version is null)
        {
            throw versionId is null
                ? new S3Exception(S3Errors.NoSuchKey).With("Key", call.ObjectKey)
                : new S3Exception(S3Errors.NoSuchVersion).With("Key", call.ObjectKey).With("VersionId", versionId);
        }

        if (version.IsDeleteMarker)
        {
            var error = versionId is null
                ? new S3Exception(S3Errors.NoSuchKey).With("Key", call.ObjectKey)
                : new S3Exception(S3Errors.MethodNotAllowed).WithHeader("Last-Modified", ObjectHeaders.HttpDate(version.LastModified));
            throw error.WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", version.VersionId);
        }

        Preconditions.Check(version, call.Header("if-match"), call.Header("if-none-match"), call.Header("if-modified-since"), call.Header("if-unmodified-since"), forCopySource: false);
        var response = call.Http.Response;
        ObjectHeaders.Write(response, version, bucket, call.Target.Query);
        var range = ResolveRange(call, version, out var fullObject);
        if (fullObject && version.Checksum is { } checksum
            && string.Equals(call.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            response.Headers["x-amz-checksum-" + checksum.Algorithm.ToLowerInvariant()] = checksum.Value;
            response.Headers["x-amz-checksum-type"] = checksum.Type;
        }

        var (offset, length) = range is { } r ? (r.Start, r.Length) : (0L, version.Size);
        if (range is { } partial && !fullObject)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {partial.Start}-{partial.End}/{version.Size}";
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentLength = length;
        if (!headOnly && length > 0)
        {
            await _reader.CopyRangeAsync(version.Segments, offset, length, response.Body, call.Aborted);
        }
    }

    public async Task DeleteObjectAsync(S3Call call)
    {
        var bucket = _store.Buckets.Get(call.Bucket);
        if (_sosApi.IsVirtualKey(call.ObjectKey))
        {
            throw new S3Exception(S3Errors.AccessDenied, "The Smart Object Storage API files are served by the vault and cannot be deleted.");
        }

        var versionId = ParseVersionId(call);
        var mutation = await _store.Objects.DeleteAsync(bucket.Name, call.ObjectKey, versionId, CancellationToken.None);
        _store.DeleteFiles(mutation.OrphanedFiles);
        var outcome = mutation.Result;
        if (outcome.IsDeleteMarker)
        {
            call.Http.Response.Headers["x-amz-delete-marker"] = "true";
        }

        if (outcome.VersionId is not null)
        {
            call.Http.Response.Headers["x-amz-version-id"] = outcome.VersionId;
        }

        call.Http.Response.StatusCode = 204;
    }

    public async Task DeleteObjectsAsync(S3Call call)
    {
        var bucket = _store.Buckets.Get(call.Bucket);
        var body = await _bodies.ReadSmallAsync(call, S3Xml.DeleteMaxBodyBytes, requireIntegrityHeader: true);
        var request = ObjectXmlParser.ParseDelete(body);
        var deleted = new List<DeletedObject>();
        var errors = new List<DeleteError>();
        var seen = new HashSet<(string, string?)>();
        foreach (var entry in request.Objects)
        {
            if (!seen.Add((entry.Key, entry.VersionId)))
            {
                continue;
            }

            try
            {
                RequestTarget.ValidateKey(entry.Key);
                if (_sosApi.IsVirtualKey(entry.Key))
                {
                    deleted.Add(new DeletedObject(entry.Key, entry.VersionId));
                    continue;
                }

                if (entry.VersionId is not null && !VersionIds.IsWellFormed(entry.VersionId))
                {
                    throw new S3Exception(S3Errors.NoSuchVersion, "The specified version does not exist.");
                }

                var mutation = await _store.Objects.DeleteAsync(bucket.Name, entry.Key, entry.VersionId, CancellationToken.None);
                _store.DeleteFiles(mutation.OrphanedFiles);
                var outcome = mutation.Result;
                deleted.Add(entry.VersionId is null
                    ? new DeletedObject(entry.Key, null, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? outcome.VersionId : null)
                    : new DeletedObject(entry.Key, entry.VersionId, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? outcome.VersionId : null));
            }
            catch (S3Exception e) when (e.Error.Status < 500)
            {
                errors.Add(new DeleteError(entry.Key, entry.VersionId, e.Error.Code, e.Message));
            }
        }

        var result = new DeleteResult(request.Quiet ? [] : deleted, errors);
        await Responses.XmlAsync(call, ObjectXmlWriter.ToBytes(result));
    }

    internal static string? ParseVersionId(S3Call call)
    {
        var versionId = call.Target.Get("versionId");
        if (versionId is null)
        {
            return null;
        }

        if (!VersionIds.IsWellFormed(versionId))
        {
            throw new S3Exception(S3Errors.InvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId").With("ArgumentValue", versionId);
        }

        return versionId;
    }

    internal static void WriteVersionHeader(S3Call call, BucketRecord bucket, string versionId)
    {
        if (bucket.Versioning != VersioningState.Unversioned)
        {
            call.Http.Response.Headers["x-amz-version-id"] = versionId;
        }
    }

    private void RefuseVirtualObject(S3Call call)
    {
        if (_sosApi.IsVirtualKey(call.ObjectKey))
        {
            throw new S3Exception(S3Errors.AccessDenied, "The Smart Object Storage API files are served by the vault and cannot be written.");
        }
    }

    /// <summary>The byte range to send: a part (partNumber), a Range header, or the whole object (null).</summary>
    private static ByteRange? ResolveRange(S3Call call, ObjectVersion version, out bool fullObject)
    {
        var partNumberText = call.Target.Get("partNumber");
        if (partNumberText is not null)
        {
            if (!int.TryParse(partNumberText, NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber) || partNumber < 1 || partNumber > 10000)
            {
                throw new S3Exception(S3Errors.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive").With("ArgumentName", "partNumber").With("ArgumentValue", partNumberText);
            }

            call.Http.Response.Headers["x-amz-mp-parts-count"] = Math.Max(1, version.Segments.Count).ToString(CultureInfo.InvariantCulture);
            if (partNumber > Math.Max(1, version.Segments.Count))
            {
                throw new S3Exception(InvalidPartNumber);
            }

            if (version.Segments.Count <= 1)
            {
                fullObject = true;
                return null;
            }

            long start = 0;
            for (var i = 0; i < partNumber - 1; i++)
            {
                start += version.Segments[i].Size;
            }

            fullObject = false;
            return new ByteRange(start, version.Segments[partNumber - 1].Size);
        }

        var range = ByteRange.Parse(call.Header("range"), version.Size);
        fullObject = range is null;
        return range;
    }

    private static readonly S3Error InvalidPartNumber = new("InvalidPartNumber", 416, "The requested partnumber is not satisfiable");
}
