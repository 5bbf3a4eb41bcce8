using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using XmlDefaultRetention = Ztdr.S3.Xml.DefaultRetention;

namespace Ztdr.Vault.Api;

/// <summary>
/// The Object Lock API: bucket lock configuration, per-version retention and legal hold. Every change goes through the
/// lock engine inside the metadata transaction that stores it.
/// </summary>
internal sealed class ObjectLockOperations
{
    private static readonly S3Error ObjectLockConfigurationNotFound =
        new("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket");

    private static readonly S3Error NoSuchObjectLockConfiguration =
        new("NoSuchObjectLockConfiguration", 400, "The specified object does not have a ObjectLock configuration");

    private readonly VaultStore _store;
    private readonly RequestBodies _bodies;
    private readonly ApprovalEngine _approvals;

    public ObjectLockOperations(VaultStore store, RequestBodies bodies, ApprovalEngine approvals)
    {
        _approvals = approvals;
        _store = store;
        _bodies = bodies;
    }

    /// <summary>
    /// PutObjectLockConfiguration. Enabling Object Lock, giving a lock bucket its first default rule (the usual
    /// create-then-configure sequence; it only adds protection, within the bucket's maximum retention) or sending the
    /// configuration it has runs at once. Changing or removing a default rule needs two admin keys (docs/approvals.md):
    /// it becomes a pending approval and the answer is 409 XVaultApprovalRequired. Invalid configurations are refused first.
    /// </summary>
    public async Task PutConfigurationAsync(S3Call call)
    {
        call.Require(S3Action.PutBucketObjectLockConfiguration);
        var bucket = _store.Buckets.Get(call.Bucket);
        var body = await _bodies.ReadSmallAsync(call, S3Xml.DefaultMaxBodyBytes, requireIntegrityHeader: true);
        var configuration = ObjectLockXmlParser.ParseObjectLockConfiguration(body);
        var rule = configuration.DefaultRetention is { } d ? new Locking.DefaultRetention(ToMode(d.Mode), d.Days, d.Years) : null;
        if (bucket.ObjectLockEnabled && bucket.DefaultRetention is not null && rule != bucket.DefaultRetention)
        {
            BucketCatalog.CheckObjectLockConfiguration(bucket, rule, call.Now);
            var parameters = new ApprovalParameters
            {
                Bucket = bucket.Name,
                DefaultMode = rule is null ? null : SensitiveOperations.FormatMode(rule.Mode),
                DefaultDays = rule?.Days,
                DefaultYears = rule?.Years,
            };
            var approval = await _approvals.RequestAsync(SensitiveOperation.ChangeObjectLockConfiguration, parameters, null, call.Key.AccessKeyId, call.Http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
            throw BucketOperations.ApprovalRequired(approval);
        }

        await _store.Buckets.SetObjectLockConfigurationAsync(call.Bucket, rule, call.Now, CancellationToken.None);
        call.Http.Response.StatusCode = 200;
    }

    public Task GetConfigurationAsync(S3Call call)
    {
        call.Require(S3Action.GetBucketObjectLockConfiguration);
        var bucket = _store.Buckets.Get(call.Bucket);
        if (!bucket.ObjectLockEnabled)
        {
            throw new S3Exception(ObjectLockConfigurationNotFound).With("BucketName", bucket.Name);
        }

        var rule = bucket.DefaultRetention is { } r ? new XmlDefaultRetention(ToXml(r.Mode), r.Days, r.Years) : null;
        return Responses.XmlAsync(call, ObjectLockXmlWriter.ToBytes(new ObjectLockConfiguration(rule)));
    }

    public async Task PutRetentionAsync(S3Call call)
    {
        call.Require(S3Action.PutObjectRetention);
        var versionId = ObjectOperations.ParseVersionId(call);
        var body = await _bodies.ReadSmallAsync(call, S3Xml.DefaultMaxBodyBytes, requireIntegrityHeader: true);
        var parsed = ObjectLockXmlParser.ParseRetention(body);
        Retention? requested = parsed switch
        {
            { Mode: { } mode, RetainUntilDate: { } until } => new Retention(ToMode(mode), until),
            { Mode: null, RetainUntilDate: null } => null,
            _ => throw new S3Exception(S3Errors.MalformedXml, "Retention needs both Mode and RetainUntilDate."),
        };
        if (call.HeaderIsTrue("x-amz-bypass-governance-retention"))
        {
            call.Require(S3Action.BypassGovernanceRetention);
        }

        var changed = await _store.Locks.PutRetentionAsync(call.Bucket, call.ObjectKey, versionId, requested, call.Authority(), call.Now, CancellationToken.None);
        call.AuditVersionId = changed.VersionId;
        call.AuditLock = Audit.AuditLock.Changed(changed.Lock);
        call.Http.Response.StatusCode = 200;
    }

    public Task GetRetentionAsync(S3Call call)
    {
        call.Require(S3Action.GetObjectRetention);
        var version = FindForRead(call);
        if (version.Retention is not { } retention)
        {
            throw new S3Exception(NoSuchObjectLockConfiguration);
        }

        return Responses.XmlAsync(call, ObjectLockXmlWriter.ToBytes(new ObjectLockRetention(ToXml(retention.Mode), retention.RetainUntil)));
    }

    public async Task PutLegalHoldAsync(S3Call call)
    {
        var versionId = ObjectOperations.ParseVersionId(call);
        var body = await _bodies.ReadSmallAsync(call, S3Xml.DefaultMaxBodyBytes, requireIntegrityHeader: true);
        var on = ObjectLockXmlParser.ParseLegalHold(body).Status == LegalHoldStatus.On;

        // Placing a hold protects data; releasing one makes it deletable again: separate powers (backup places, admin releases).
        call.Require(on ? S3Action.PlaceLegalHold : S3Action.ReleaseLegalHold);
        var changed = await _store.Locks.PutLegalHoldAsync(call.Bucket, call.ObjectKey, versionId, on, CancellationToken.None);
        call.AuditVersionId = changed.VersionId;
        call.AuditLock = Audit.AuditLock.Changed(changed.Lock);
        call.Http.Response.StatusCode = 200;
    }

    public Task GetLegalHoldAsync(S3Call call)
    {
        call.Require(S3Action.GetObjectLegalHold);
        var version = FindForRead(call);
        if (version.LegalHold is not { } hold)
        {
            throw new S3Exception(NoSuchObjectLockConfiguration);
        }

        return Responses.XmlAsync(call, ObjectLockXmlWriter.ToBytes(new ObjectLockLegalHold(hold ? LegalHoldStatus.On : LegalHoldStatus.Off)));
    }

    private ObjectVersion FindForRead(S3Call call)
    {
        var versionId = ObjectOperations.ParseVersionId(call);
        var bucket = _store.Buckets.Get(call.Bucket);
        if (!bucket.ObjectLockEnabled)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "Bucket is missing Object Lock Configuration");
        }

        var version = _store.Objects.Find(bucket.Name, call.ObjectKey, versionId);
        if (version is null)
        {
            throw versionId is null
                ? new S3Exception(S3Errors.NoSuchKey).With("Key", call.ObjectKey)
                : new S3Exception(S3Errors.NoSuchVersion).With("Key", call.ObjectKey).With("VersionId", versionId);
        }

        if (version.IsDeleteMarker)
        {
            throw new S3Exception(S3Errors.MethodNotAllowed).WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", version.VersionId);
        }

        return version;
    }

    internal static LockMode ToMode(ObjectLockMode mode) => mode == ObjectLockMode.Compliance ? LockMode.Compliance : LockMode.Governance;

    internal static ObjectLockMode ToXml(LockMode mode) => mode == LockMode.Compliance ? ObjectLockMode.Compliance : ObjectLockMode.Governance;
}
