using System.Globalization;
using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
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
    private readonly RequestAudit _audit;

    public ObjectOperations(VaultStore store, ObjectReader reader, RequestBodies bodies, TimeProvider time, VaultOptions options, RequestAudit audit)
    {
        _audit = audit;
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
        call.Require(S3Action.PutObject);
        var bucket = _store.Buckets.Get(call.Bucket);
        RefuseVirtualObject(call);
        var headers = ObjectHeaders.FromRequest(call);
        var (retention, legalHold) = RequestedLock(call, bucket);
        if (call.Header("if-none-match") == "*" && _store.Objects.Find(bucket.Name, call.ObjectKey, null) is { IsDeleteMarker: false })
        {
            throw new S3Exception(S3Errors.PreconditionFailed).With("Condition", "If-None-Match");
        }

        var body = await _bodies.StageAsync(call);
        var mutation = await _store.Commits.PutVersionAsync(
            body.File,
            body.ETag,
            segment => new NewVersion(bucket.Name, call.ObjectKey, segment.Size, body.ETag, headers, body.Checksum, [segment])
            {
                Retention = retention,
                LegalHold = legalHold,
                RequireAbsent = call.Header("if-none-match") == "*",
                Writer = call.Key.AccessKeyId,
            },
            call.Now);
        call.AuditVersionId = mutation.Result.VersionId;
        call.AuditLock = AuditLock.Created(mutation.Result.Lock);
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
        call.Require(S3Action.GetObject);
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
        WriteLockHeaders(call, version);
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
        call.Require(RemovesData(bucket, versionId) ? S3Action.DeleteObjectVersion : S3Action.CreateDeleteMarker);
        if (call.HeaderIsTrue("x-amz-bypass-governance-retention"))
        {
            call.Require(S3Action.BypassGovernanceRetention);
        }

        var authority = call.Authority();
        var mutation = await _store.Commits.DeleteAsync(bucket.Name, call.ObjectKey, versionId, authority, call.Now);
        var outcome = mutation.Result;
        call.AuditVersionId = outcome.VersionId;
        call.AuditLock = RemovedLock(outcome, authority);
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
        if (call.HeaderIsTrue("x-amz-bypass-governance-retention"))
        {
            call.Require(S3Action.BypassGovernanceRetention);
        }

        var authority = call.Authority();
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

                call.Require(RemovesData(bucket, entry.VersionId) ? S3Action.DeleteObjectVersion : S3Action.CreateDeleteMarker);
                var mutation = await _store.Commits.DeleteAsync(bucket.Name, entry.Key, entry.VersionId, authority, call.Now);
                var outcome = mutation.Result;
                await _audit.EntryAsync(call, "DeleteObjects", entry.Key, outcome.VersionId ?? entry.VersionId, "allowed", RemovedLock(outcome, authority));
                deleted.Add(entry.VersionId is null
                    ? new DeletedObject(entry.Key, null, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? outcome.VersionId : null)
                    : new DeletedObject(entry.Key, entry.VersionId, outcome.IsDeleteMarker, outcome.IsDeleteMarker ? outcome.VersionId : null));
            }
            catch (S3Exception e) when (e.Error.Status < 500)
            {
                errors.Add(new DeleteError(entry.Key, entry.VersionId, e.Error.Code, e.Message));
                await _audit.EntryAsync(call, "DeleteObjects", entry.Key, entry.VersionId, "denied:" + e.Error.Code);
            }
        }

        var result = new DeleteResult(request.Quiet ? [] : deleted, errors);
        await Responses.XmlAsync(call, ObjectXmlWriter.ToBytes(result));
    }

    /// <summary>
    /// A removed version's record carries the lock state the metadata store held for it, so the scrubber can tell a
    /// removal the chain allowed from one an edited store let through (docs/audit-format.md, "Lock state").
    /// </summary>
    private static AuditLock? RemovedLock(DeleteOutcome outcome, DeleteAuthority authority) =>
        outcome.Removed is { } removed ? AuditLock.Removed(removed, authority.BypassRequested && authority.BypassPermitted) : null;

    /// <summary>
    /// A delete removes data permanently when it names a version, or when the bucket keeps no versions (the null
    /// version goes): that needs DeleteObjectVersion; otherwise it only adds a delete marker.
    /// </summary>
    internal static bool RemovesData(BucketRecord bucket, string? versionId) => versionId is not null || bucket.Versioning != VersioningState.Enabled;

    /// <summary>
    /// Lock settings asked for by x-amz-object-lock-* headers (PutObject, CopyObject, CreateMultipartUpload), checked
    /// against the bucket and the key's permissions before any body byte is stored.
    /// </summary>
    internal static (Retention? Retention, bool? LegalHold) RequestedLock(S3Call call, BucketRecord bucket)
    {
        var (retention, legalHold) = LockHeaders.Parse(call.Header);
        if (retention is null && legalHold is null)
        {
            return (null, null);
        }

        if (!bucket.ObjectLockEnabled)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "Bucket is missing ObjectLockConfiguration");
        }

        if (retention is not null)
        {
            call.Require(S3Action.PutObjectRetention);

            // Before a body byte is staged; the commit asks the lock engine again.
            if ((LockEngine.CheckNewRetention(retention, call.Now) ?? LockEngine.CheckRetentionLimit(retention, bucket.Limits.MaxRetention, call.Now)) is { } denied)
            {
                throw denied;
            }
        }

        if (legalHold == true)
        {
            call.Require(S3Action.PlaceLegalHold);
        }

        return (retention, legalHold);
    }

    /// <summary>Lock state on GET/HEAD, only for keys allowed to read it (others simply don't see the headers, as AWS).</summary>
    internal static void WriteLockHeaders(S3Call call, ObjectVersion version)
    {
        var headers = call.Http.Response.Headers;
        if (version.Retention is { } retention && call.Can(S3Action.GetObjectRetention))
        {
            headers["x-amz-object-lock-mode"] = retention.Mode == LockMode.Compliance ? "COMPLIANCE" : "GOVERNANCE";
            headers["x-amz-object-lock-retain-until-date"] = LockHeaders.FormatDate(retention.RetainUntil);
        }

        if (version.LegalHold is { } hold && call.Can(S3Action.GetObjectLegalHold))
        {
            headers["x-amz-object-lock-legal-hold"] = hold ? "ON" : "OFF";
        }
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
