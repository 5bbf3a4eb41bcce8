using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation and bucket versioning.</summary>
internal sealed class BucketOperations
{
    private static readonly S3Owner Owner = new("ztdr-vault", "ztdr-vault");
    private readonly VaultStore _store;
    private readonly VaultOptions _options;
    private readonly RequestBodies _bodies;
    private readonly ApprovalEngine _approvals;

    public BucketOperations(VaultStore store, RequestBodies bodies, VaultOptions options, ApprovalEngine approvals)
    {
        _approvals = approvals;
        _store = store;
        _bodies = bodies;
        _options = options;
    }

    public Task ListBucketsAsync(S3Call call)
    {
        call.Require(S3Action.ListBuckets);
        var buckets = _store.Buckets.List()
            .Where(b => call.Key.CoversBucket(b.Name))
            .Select(b => new BucketEntry(b.Name, b.Created))
            .ToList();
        return Responses.XmlAsync(call, BucketXmlWriter.ToBytes(new ListAllMyBucketsResult(Owner, buckets)));
    }

    public async Task CreateBucketAsync(S3Call call)
    {
        call.Require(S3Action.CreateBucket);
        var name = call.Bucket;
        BucketNames.Validate(name);
        var body = await ReadBodyAsync(call);
        var configuration = BucketXmlParser.ParseCreateBucketConfiguration(body);
        if (configuration.LocationConstraint is { Length: > 0 } location && !_options.Regions.Contains(location) && location != _options.Region)
        {
            throw new S3Exception(new S3Error("InvalidLocationConstraint", 400, "The specified location-constraint is not valid."), $"This vault serves region {_options.Region}, not {location}.");
        }

        // A lock bucket is also a versioned one, and neither can ever be undone: it takes all three permissions (as AWS).
        var objectLock = call.HeaderIsTrue("x-amz-bucket-object-lock-enabled");
        if (objectLock)
        {
            call.Require(S3Action.PutBucketObjectLockConfiguration);
            call.Require(S3Action.PutBucketVersioning);
        }

        await _store.Buckets.CreateAsync(name, objectLock ? VersioningState.Enabled : VersioningState.Unversioned, objectLock, CancellationToken.None);
        call.Http.Response.Headers.Location = "/" + name;
        call.Http.Response.StatusCode = 200;
    }

    public Task HeadBucketAsync(S3Call call)
    {
        call.Require(S3Action.ReadBucket);
        var bucket = _store.Buckets.Get(call.Bucket);
        call.Http.Response.Headers["x-amz-bucket-region"] = _options.Region;

        // S3 has no way to report these; other clients and `ztdr assess` read them here (docs/s3-compatibility.md).
        var headers = call.Http.Response.Headers;
        if (bucket.Limits.MaxRetention is { } max)
        {
            headers["x-ztdr-max-retention"] = max.ToString();
        }

        headers["x-ztdr-write-once"] = bucket.Limits.WriteOnce ? "true" : "false";
        if (bucket.Limits.QuotaBytes is { } quota)
        {
            headers["x-ztdr-quota-bytes"] = quota.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (_store.Keys.QuotaBytes(call.Key.AccessKeyId) is { } keyQuota)
        {
            headers["x-ztdr-key-quota-bytes"] = keyQuota.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        call.Http.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    /// <summary>
    /// DeleteBucket needs two admin keys (docs/approvals.md): a bucket that could be deleted now becomes a pending
    /// approval and the answer is 409 XVaultApprovalRequired; a second key's approval deletes it. Refusals that need no
    /// approval (no such bucket, not empty) come first, so nobody approves what cannot run.
    /// </summary>
    public async Task DeleteBucketAsync(S3Call call)
    {
        call.Require(S3Action.DeleteBucket);
        var bucket = call.Bucket;
        _store.Database.Read(connection =>
        {
            BucketCatalog.CheckDeletable(connection, null, bucket);
            return true;
        });
        var approval = await _approvals.RequestAsync(SensitiveOperation.DeleteBucket, new ApprovalParameters { Bucket = bucket }, null, call.Key.AccessKeyId, call.Http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
        throw ApprovalRequired(approval);
    }

    /// <summary>The answer to a sensitive request: not executed, waiting in <paramref name="approval"/>.</summary>
    internal static S3Exception ApprovalRequired(PendingApproval approval) =>
        new S3Exception(S3Errors.ApprovalRequired, $"{S3Errors.ApprovalRequired.DefaultMessage} Approval {approval.ApprovalId} expires at {approval.Expires:O}.")
            .With("ApprovalId", approval.ApprovalId)
            .WithHeader("x-ztdr-approval-id", approval.ApprovalId);

    public Task GetLocationAsync(S3Call call)
    {
        call.Require(S3Action.ReadBucket);
        _ = _store.Buckets.Get(call.Bucket);
        var region = _options.Region == "us-east-1" ? null : _options.Region;
        return Responses.XmlAsync(call, BucketXmlWriter.ToBytes(new BucketLocation(region)));
    }

    public Task GetVersioningAsync(S3Call call)
    {
        call.Require(S3Action.GetBucketVersioning);
        var bucket = _store.Buckets.Get(call.Bucket);
        VersioningStatus? status = bucket.Versioning switch
        {
            VersioningState.Enabled => VersioningStatus.Enabled,
            VersioningState.Suspended => VersioningStatus.Suspended,
            _ => null,
        };
        return Responses.XmlAsync(call, BucketXmlWriter.ToBytes(new VersioningConfiguration(status)));
    }

    public async Task PutVersioningAsync(S3Call call)
    {
        call.Require(S3Action.PutBucketVersioning);
        _ = _store.Buckets.Get(call.Bucket);
        var body = await ReadBodyAsync(call);
        var configuration = BucketXmlParser.ParseVersioningConfiguration(body);
        var state = configuration.Status switch
        {
            VersioningStatus.Enabled => VersioningState.Enabled,
            VersioningStatus.Suspended => VersioningState.Suspended,
            _ => throw new S3Exception(S3Errors.MalformedXml),
        };
        await _store.Buckets.SetVersioningAsync(call.Bucket, state, CancellationToken.None);
        call.Http.Response.StatusCode = 200;
    }

    private Task<byte[]> ReadBodyAsync(S3Call call) => _bodies.ReadSmallAsync(call, S3Xml.DefaultMaxBodyBytes, requireIntegrityHeader: false);
}
