using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ztdr.S3.Errors;
using Ztdr.S3.Signing;
using Ztdr.S3.Xml;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>
/// The S3 data plane's single entry point: parse the target, authenticate before any body byte is read, route on
/// (method, bucket?, key?, sub-resource) and translate every rejection into S3's XML error in one place.
/// </summary>
public sealed class S3Dispatcher
{
    /// <summary>Sub-resources S3 has and this vault does not: a clear 501 instead of a misrouted request.</summary>
    private static readonly string[] Unsupported =
    [
        "acl", "policy", "policyStatus", "cors", "lifecycle", "encryption", "tagging", "website", "logging", "replication",
        "notification", "ownershipControls", "publicAccessBlock", "accelerate", "requestPayment", "analytics", "inventory",
        "metrics", "intelligent-tiering", "torrent", "restore", "select", "attributes",
    ];

    /// <summary>Errors that mean "you could not prove who you are": counted per source and slowed down.</summary>
    private static readonly HashSet<string> AuthenticationFailures =
    [
        S3Errors.SignatureDoesNotMatch.Code, S3Errors.InvalidAccessKeyId.Code, S3Errors.AuthorizationHeaderMalformed.Code,
        S3Errors.AuthorizationQueryParametersError.Code,
    ];

    private readonly VaultStore _store;
    private readonly VaultOptions _options;
    private readonly SigV4Verifier _verifier;
    private readonly ILogger _logger;
    private readonly BucketOperations _buckets;
    private readonly ObjectOperations _objects;
    private readonly MultipartOperations _multipart;
    private readonly ListOperations _lists;
    private readonly ObjectLockOperations _locks;
    private readonly SecureClock _clock;
    private readonly RequestAudit _audit;
    private readonly IAuditLog _auditLog;
    private readonly RefusalSummaries _summaries;
    private readonly AuthFailureLimiter _limiter;
    private readonly KeyWriteRate? _writeRate;

    internal S3Dispatcher(VaultStore store, VaultOptions options, TimeProvider time, SecureClock clock, IAuditLog audit, RefusalSummaries summaries, AuthFailureLimiter limiter, Approvals.ApprovalEngine approvals, ILogger<S3Dispatcher> logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _clock = clock;
        _limiter = limiter;
        _writeRate = options.KeyWriteRateBytesPerSecond is { } rate ? new KeyWriteRate(rate, time) : null;
        _auditLog = audit;
        _summaries = summaries;
        _audit = new RequestAudit(audit, clock);
        // Request times are judged by the trusted clock, like retention (threat-model.md, "One clock").
        _verifier = new SigV4Verifier(id => store.Keys.FindActive(id)?.Secret, clock.RequestTimeWindow, options.Regions);
        var reader = new ObjectReader(store.Files);
        var bodies = new RequestBodies(store.Files, options);
        _buckets = new BucketOperations(store, bodies, options, approvals);
        _locks = new ObjectLockOperations(store, bodies, approvals);
        _objects = new ObjectOperations(store, reader, bodies, time, options, _audit);
        _multipart = new MultipartOperations(store, reader, bodies, _objects.Copy, time);
        _lists = new ListOperations(store);
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var requestId = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        http.Response.Headers["x-amz-request-id"] = requestId;
        http.Response.Headers["x-amz-id-2"] = requestId;
        http.Response.Headers.Server = "ztdr-vault";

        // SDKs correct their clock from Date after a skew error; Kestrel's would be the host's wall clock, however wrong.
        http.Response.Headers.Date = ObjectHeaders.HttpDate(_clock.BestEstimate);
        RequestTarget? target = null;
        SigV4Authentication? authentication = null;
        S3Call? call = null;
        string operation = http.Request.Method;
        string? errorCode = null;
        var source = AuthFailureLimiter.SourceOf(http.Connection.RemoteIpAddress);
        var writeThrottled = false;
        try
        {
            // No throttle check here: a request whose signature verifies is never refused for others' failures.
            var signed = new HttpSignedRequest(http);
            target = RequestTarget.Parse(signed.RawTarget, http.Request.Host.Value, _options.BaseDomains);
            authentication = _verifier.Verify(signed);
            var key = _store.Keys.FindActive(authentication.AccessKeyId)?.Key
                ?? throw new S3Exception(S3Errors.InvalidAccessKeyId).With("AWSAccessKeyId", authentication.AccessKeyId);
            call = new S3Call(http, target, authentication, key, _clock.Now);
            Authorize(call);
            var (name, run) = Route(call);
            operation = name;
            if (_writeRate is not null && name is "PutObject" or "UploadPart" && !_writeRate.TryAdmit(key.AccessKeyId, DeclaredLength(http), out var retryAfter))
            {
                // Before the body is read: a key over its rate costs the vault neither disk nor an audit record each.
                writeThrottled = true;
                http.Response.Headers.RetryAfter = ((long)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new S3Exception(S3Errors.SlowDown, $"This key writes faster than the vault's per-key write rate ({_writeRate.BytesPerSecond} bytes/s averaged); slow down. Reads are not limited.");
            }

            if (RequestAudit.ShouldAudit(http.Request.Method, 200) && _auditLog.ReadOnlyReason is { } readOnly)
            {
                // No mutation may commit without its audit record, so none runs while the log accepts none.
                _logger.LogWarning("request {RequestId} {Operation} refused: the vault is read-only ({Reason})", requestId, name, readOnly);
                throw new S3Exception(S3Errors.StorageFull, "The vault is read-only: it has no space left to record changes. Reads are served; free space on its filesystem and restart it.");
            }

            var audited = call;
            if (RequestAudit.ShouldAudit(http.Request.Method, 200))
            {
                call.BeforeResponse = () => _audit.RequestAsync(http, name, audited.Key.AccessKeyId, target, audited.AuditVersionId, "allowed", requestId, audited.AuditLock);
            }

            await run();
            if (call.BeforeResponse is { } pending)
            {
                // Status-only responses (no body written yet): the audit record is durable before the status line goes out.
                call.BeforeResponse = null;
                await pending();
            }
        }
        catch (S3Exception refusal)
        {
            var e = refusal;
            var delay = TimeSpan.Zero;
            if (AuthenticationFailures.Contains(e.Error.Code) || (authentication is null && e.Error.Status == 403))
            {
                // Only failed requests meet the limiter, counted per (source, key) for a key the vault knows and per
                // source otherwise. A party far over its allowance gets SlowDown at once; below that the delay is served
                // before the answer, so guessing costs time.
                var party = KnownKeyOf(e);
                if (_limiter.IsThrottled(source, party))
                {
                    e = new S3Exception(S3Errors.SlowDown, "Too many failed authentications from this source; slow down. Correctly signed requests are not affected.");
                }
                else
                {
                    delay = _limiter.RecordFailure(source, party);
                }
            }

            errorCode = e.Error.Code;
            if (e.Error.Status >= 500)
            {
                _logger.LogError(e.InnerException, "request {RequestId} failed with {Code}", requestId, e.Error.Code);
            }

            if (call is not null)
            {
                call.BeforeResponse = null;
            }

            // Audited before the delay: a guesser who hangs up while held back must still leave a record (or be counted).
            var outcome = "denied:" + e.Error.Code;
            if (authentication is null)
            {
                await AuditUnauthenticatedAsync(http, operation, target, outcome, requestId, source);
            }
            else if (writeThrottled)
            {
                // A key over its write rate is summarised per key, source and minute like an unsigned flood: the first
                // refusal in full, the rest counted (docs/audit-format.md, "Summaries").
                if (_summaries.Count(_clock.Now.Now, source, outcome, requestId, authentication.AccessKeyId))
                {
                    await AuditRefusalAsync(() => _audit.RequestAsync(http, operation, authentication.AccessKeyId, target, null, outcome, requestId), requestId);
                }
            }
            else if (RequestAudit.ShouldAudit(http.Request.Method, e.Error.Status))
            {
                await AuditRefusalAsync(() => _audit.RequestAsync(http, operation, authentication.AccessKeyId, target, call?.AuditVersionId ?? target?.Get("versionId"), outcome, requestId), requestId);
            }

            if (delay > TimeSpan.Zero && !await HoldBackAsync(delay, http.RequestAborted))
            {
                return;
            }

            await WriteErrorAsync(http, e, requestId, target);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing was published (publication is the last step of every mutation).
            errorCode = "ClientClosed";
        }
        catch (AuditLogUnavailableException e)
        {
            // The log failed closed while this request's record was being written (the disk filled up under it). What
            // the request changed is committed; the client is told the vault is out of space, not that it broke.
            var error = e.OutOfSpace ? S3Errors.StorageFull : S3Errors.InternalError;
            errorCode = error.Code;
            _logger.LogError(e, "request {RequestId} {Operation} could not be audited", requestId, operation);
            await WriteErrorAsync(http, new S3Exception(error, "The vault could not record this request in its audit log and accepts no more changes until space is freed and it restarts; check whether the request took effect."), requestId, target);
        }
        catch (BadHttpRequestException e)
        {
            errorCode = S3Errors.IncompleteBody.Code;
            await WriteErrorAsync(http, new S3Exception(S3Errors.IncompleteBody, e.Message), requestId, target);
        }
        catch (Exception e)
        {
            errorCode = S3Errors.InternalError.Code;
            _logger.LogError(e, "request {RequestId} {Method} failed", requestId, http.Request.Method);
            await WriteErrorAsync(http, new S3Exception(S3Errors.InternalError), requestId, target);
        }
        finally
        {
            // One structured line per request. Never a secret: the access key id names the key, the signature is not logged.
            _logger.LogInformation(
                "{RequestId} {Method} {Bucket} {Key} {Status} {ErrorCode} {AccessKeyId} {PayloadMode} {ElapsedMs}",
                requestId,
                http.Request.Method,
                target?.Bucket,
                target?.Key,
                http.Response.StatusCode,
                errorCode,
                authentication?.AccessKeyId,
                authentication?.PayloadMode.ToString(),
                (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The new bytes a PUT declares: the decoded length of an aws-chunked body, else Content-Length.</summary>
    private static long DeclaredLength(HttpContext http) =>
        long.TryParse(http.Request.Headers["x-amz-decoded-content-length"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var decoded)
            ? decoded
            : http.Request.ContentLength ?? 0;

    private (string Operation, Func<Task> Run) Route(S3Call call)
    {
        var method = call.Http.Request.Method;
        var target = call.Target;
        foreach (var name in Unsupported)
        {
            if (target.Has(name))
            {
                throw new S3Exception(S3Errors.NotImplemented, $"The '{name}' sub-resource is not implemented by ztdr-vault.");
            }
        }

        if (target.Bucket is null)
        {
            return method == "GET" ? ("ListBuckets", () => _buckets.ListBucketsAsync(call)) : throw new S3Exception(S3Errors.MethodNotAllowed);
        }

        if (target.Key is null)
        {
            return method switch
            {
                "GET" when target.Has("location") => ("GetBucketLocation", () => _buckets.GetLocationAsync(call)),
                "GET" when target.Has("versioning") => ("GetBucketVersioning", () => _buckets.GetVersioningAsync(call)),
                "GET" when target.Has("object-lock") => ("GetObjectLockConfiguration", () => _locks.GetConfigurationAsync(call)),
                "GET" when target.Has("versions") => ("ListObjectVersions", () => _lists.ListVersionsAsync(call)),
                "GET" when target.Has("uploads") => ("ListMultipartUploads", () => _multipart.ListUploadsAsync(call)),
                "GET" when target.Get("list-type") == "2" => ("ListObjectsV2", () => _lists.ListObjectsV2Async(call)),
                "GET" => ("ListObjects", () => _lists.ListObjectsV1Async(call)),
                "HEAD" => ("HeadBucket", () => _buckets.HeadBucketAsync(call)),
                "PUT" when target.Has("versioning") => ("PutBucketVersioning", () => _buckets.PutVersioningAsync(call)),
                "PUT" when target.Has("object-lock") => ("PutObjectLockConfiguration", () => _locks.PutConfigurationAsync(call)),
                "PUT" => ("CreateBucket", () => _buckets.CreateBucketAsync(call)),
                "DELETE" => ("DeleteBucket", () => _buckets.DeleteBucketAsync(call)),
                "POST" when target.Has("delete") => ("DeleteObjects", () => _objects.DeleteObjectsAsync(call)),
                _ => throw new S3Exception(S3Errors.MethodNotAllowed),
            };
        }

        return method switch
        {
            "GET" when target.Has("retention") => ("GetObjectRetention", () => _locks.GetRetentionAsync(call)),
            "GET" when target.Has("legal-hold") => ("GetObjectLegalHold", () => _locks.GetLegalHoldAsync(call)),
            "GET" when target.Has("uploadId") => ("ListParts", () => _multipart.ListPartsAsync(call)),
            "GET" => ("GetObject", () => _objects.GetObjectAsync(call, headOnly: false)),
            "HEAD" => ("HeadObject", () => _objects.GetObjectAsync(call, headOnly: true)),
            "PUT" when target.Has("retention") => ("PutObjectRetention", () => _locks.PutRetentionAsync(call)),
            "PUT" when target.Has("legal-hold") => ("PutObjectLegalHold", () => _locks.PutLegalHoldAsync(call)),
            "PUT" when target.Has("uploadId") && target.Has("partNumber") => ("UploadPart", () => _multipart.UploadPartAsync(call)),
            "PUT" when call.Header("x-amz-copy-source") is not null => ("CopyObject", () => _objects.CopyObjectAsync(call)),
            "PUT" => ("PutObject", () => _objects.PutObjectAsync(call)),
            "DELETE" when target.Has("uploadId") => ("AbortMultipartUpload", () => _multipart.AbortAsync(call)),
            "DELETE" => ("DeleteObject", () => _objects.DeleteObjectAsync(call)),
            "POST" when target.Has("uploads") => ("CreateMultipartUpload", () => _multipart.CreateAsync(call)),
            "POST" when target.Has("uploadId") => ("CompleteMultipartUpload", () => _multipart.CompleteAsync(call)),
            _ => throw new S3Exception(S3Errors.MethodNotAllowed),
        };
    }

    /// <summary>Keys are scoped to buckets; a key outside its scope learns nothing about the bucket.</summary>
    private static void Authorize(S3Call call)
    {
        if (call.Target.Bucket is { } bucket && !call.Key.CoversBucket(bucket))
        {
            throw new S3Exception(S3Errors.AccessDenied);
        }
    }

    /// <summary>
    /// A refusal of a request that proved no key: counted in the per-source, per-minute summaries, and only the first of
    /// its minute written as a record of its own — and that only while free space is above the tier unauthenticated
    /// records may use (docs/vault-storage.md, "Space tiers"), so no flood of unsigned requests can fill the disk.
    /// </summary>
    private async Task AuditUnauthenticatedAsync(HttpContext http, string operation, RequestTarget? target, string outcome, string requestId, string source)
    {
        if (!_summaries.Count(_clock.Now.Now, source, outcome, requestId))
        {
            return;
        }

        if (!_store.Files.HasRoomForUnauthenticatedRecords())
        {
            _logger.LogWarning("unauthenticated request {RequestId} {Operation} from {Source} ({Outcome}) not audited: free space is below the tier unauthenticated records may use", requestId, operation, source, outcome);
            return;
        }

        await AuditRefusalAsync(() => _audit.RequestAsync(http, operation, null, target, target?.Get("versionId"), outcome, requestId), requestId);
    }

    /// <summary>A refusal changed nothing, so a log that accepts no records only costs its record: it goes to the log instead.</summary>
    private async Task AuditRefusalAsync(Func<Task> append, string requestId)
    {
        try
        {
            await append();
        }
        catch (AuditLogUnavailableException e)
        {
            _logger.LogWarning("refusal {RequestId} not audited: {Reason}", requestId, e.Message);
        }
    }

    /// <summary>
    /// The access key id a failed authentication named, if the vault knows that key: its failures get a bucket of their
    /// own. An unknown id gets none (null), or every invented id would bring a fresh allowance.
    /// </summary>
    private string? KnownKeyOf(S3Exception e)
    {
        var claimed = e.Details.FirstOrDefault(d => d.Key == "AWSAccessKeyId").Value;
        return claimed is not null && _store.Keys.FindActive(claimed) is not null ? claimed : null;
    }

    /// <summary>Waits out an authentication-failure delay; false when the client went away meanwhile (nothing left to answer).</summary>
    private static async Task<bool> HoldBackAsync(TimeSpan delay, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(delay, aborted);
            return true;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task WriteErrorAsync(HttpContext http, S3Exception e, string requestId, RequestTarget? target)
    {
        if (http.Response.HasStarted)
        {
            http.Abort();
            return;
        }

        http.Response.StatusCode = e.Error.Status;
        foreach (var header in e.Headers)
        {
            http.Response.Headers[header.Key] = header.Value;
        }

        if (target?.Key is not null && e.Error == S3Errors.NoSuchKey && !e.Details.Any(d => d.Key == "Key"))
        {
            e.With("Key", target.Key);
        }

        // HEAD responses and 304 carry no body; SDKs map them by status.
        if (http.Request.Method == "HEAD" || e.Error.Status == 304)
        {
            return;
        }

        var body = ErrorXmlWriter.ToBytes(e, requestId, requestId);
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }
}
