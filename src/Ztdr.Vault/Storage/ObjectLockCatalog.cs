using System.Text;
using Microsoft.Data.Sqlite;
using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Retention and legal-hold changes on stored versions. Each change reads the version's current lock state and asks
/// the lock engine inside the same write transaction that stores the change, so two concurrent requests can never
/// combine into a shortening the engine would refuse.
/// </summary>
public sealed class ObjectLockCatalog
{
    private readonly MetadataDatabase _db;

    public ObjectLockCatalog(MetadataDatabase db)
    {
        _db = db;
    }

    /// <summary>PutObjectRetention; <paramref name="requested"/> null removes retention (governance with bypass only).</summary>
    public Task<ObjectVersion> PutRetentionAsync(
        string bucket,
        string key,
        string? versionId,
        Retention? requested,
        DeleteAuthority authority,
        TrustedInstant now,
        CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var target = FindLockable(connection, transaction, bucket, key, versionId);
            if (LockEngine.CheckPutRetention(target.Lock, requested, authority.BypassRequested, authority.BypassPermitted, now) is { } denied)
            {
                throw denied;
            }

            // Extending is allowed under COMPLIANCE, but never past the bucket's maximum: else one request locks a version until 9999.
            var limits = BucketCatalog.Find(connection, transaction, bucket)!.Limits;
            if (requested is not null && LockEngine.CheckRetentionLimit(requested, limits.MaxRetention, now) is { } beyond)
            {
                throw beyond;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE versions SET lock_mode = $m, retain_until_ms = $r WHERE seq = $q";
            command.Parameters.AddWithValue("$q", target.Sequence);
            command.Parameters.AddWithValue("$m", requested is null ? DBNull.Value : (int)requested.Mode);
            command.Parameters.AddWithValue("$r", requested is null ? DBNull.Value : requested.RetainUntil.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return target with { Retention = requested };
        }, cancellationToken);

    /// <summary>PutObjectLegalHold. Holds never weaken retention; releasing one is a separate permission checked by the caller.</summary>
    public Task<ObjectVersion> PutLegalHoldAsync(string bucket, string key, string? versionId, bool on, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var target = FindLockable(connection, transaction, bucket, key, versionId);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE versions SET legal_hold = $h WHERE seq = $q";
            command.Parameters.AddWithValue("$q", target.Sequence);
            command.Parameters.AddWithValue("$h", on ? 1 : 0);
            command.ExecuteNonQuery();
            return target with { LegalHold = on };
        }, cancellationToken);

    /// <summary>The version a lock request targets: the named one or the latest; it must exist in a lock bucket and not be a delete marker.</summary>
    internal static ObjectVersion FindLockable(SqliteConnection connection, SqliteTransaction? transaction, string bucket, string key, string? versionId)
    {
        var record = BucketCatalog.Find(connection, transaction, bucket) ?? throw BucketCatalog.NoSuchBucket(bucket);
        if (!record.ObjectLockEnabled)
        {
            throw new S3Exception(S3Errors.InvalidRequest, "Bucket is missing Object Lock Configuration");
        }

        var keyBytes = Encoding.UTF8.GetBytes(key);
        var target = versionId is null
            ? ObjectCatalog.FindLatest(connection, transaction, bucket, keyBytes)
            : ObjectCatalog.FindRow(connection, transaction, bucket, keyBytes, versionId);
        if (target is null)
        {
            throw versionId is null
                ? new S3Exception(S3Errors.NoSuchKey).With("Key", key)
                : new S3Exception(S3Errors.NoSuchVersion).With("Key", key).With("VersionId", versionId);
        }

        if (target.IsDeleteMarker)
        {
            throw new S3Exception(S3Errors.MethodNotAllowed, "The specified method is not allowed against a delete marker.")
                .WithHeader("x-amz-delete-marker", "true")
                .WithHeader("x-amz-version-id", target.VersionId);
        }

        return target;
    }
}
