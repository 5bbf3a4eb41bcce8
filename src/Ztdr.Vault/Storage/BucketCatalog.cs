using Microsoft.Data.Sqlite;
using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>Buckets in the metadata store.</summary>
public sealed class BucketCatalog
{
    private readonly MetadataDatabase _db;
    private readonly TimeProvider _time;

    public BucketCatalog(MetadataDatabase db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    /// <summary>What CreateBucket gives a bucket: the default maximum retention, S3's overwrite semantics, no quota.</summary>
    public static BucketLimits DefaultLimits { get; } = new(MaxRetention.Default, WriteOnce: false, QuotaBytes: null);

    /// <summary>Creates a bucket with <see cref="DefaultLimits"/>.</summary>
    public Task<BucketRecord> CreateAsync(string name, VersioningState versioning, bool objectLock, CancellationToken cancellationToken = default) =>
        CreateAsync(name, versioning, objectLock, DefaultLimits, cancellationToken);

    /// <summary>
    /// Creates a bucket; an Object Lock bucket is always versioned (and can never stop being either). The limits are set
    /// here; later changes go through four-eyes approval (<see cref="SetLimits"/>, docs/approvals.md).
    /// </summary>
    public Task<BucketRecord> CreateAsync(string name, VersioningState versioning, bool objectLock, BucketLimits limits, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            if (objectLock)
            {
                versioning = VersioningState.Enabled;
            }

            if (Find(connection, transaction, name) is not null)
            {
                throw new S3Exception(S3Errors.BucketAlreadyOwnedByYou).With("BucketName", name);
            }

            var created = _time.GetUtcNow();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO buckets(name, created_ms, versioning, object_lock, max_retention_days, max_retention_years, write_once, quota_bytes)
                VALUES ($n, $c, $v, $l, $md, $my, $w, $q)
                """;
            command.Parameters.AddWithValue("$n", name);
            command.Parameters.AddWithValue("$c", created.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$v", (int)versioning);
            command.Parameters.AddWithValue("$l", objectLock ? 1 : 0);
            command.Parameters.AddWithValue("$md", (object?)limits.MaxRetention?.Days ?? DBNull.Value);
            command.Parameters.AddWithValue("$my", (object?)limits.MaxRetention?.Years ?? DBNull.Value);
            command.Parameters.AddWithValue("$w", limits.WriteOnce ? 1 : 0);
            command.Parameters.AddWithValue("$q", (object?)limits.QuotaBytes ?? DBNull.Value);
            command.ExecuteNonQuery();
            return new BucketRecord(name, DateTimeOffset.FromUnixTimeMilliseconds(created.ToUnixTimeMilliseconds()), versioning, objectLock) { Limits = limits };
        }, cancellationToken);

    public BucketRecord? Find(string name) => _db.Read(connection => Find(connection, null, name));

    /// <summary>The bucket, or NoSuchBucket.</summary>
    public BucketRecord Get(string name) => Find(name) ?? throw NoSuchBucket(name);

    public IReadOnlyList<BucketRecord> List() => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM buckets ORDER BY name";
        using var reader = command.ExecuteReader();
        var result = new List<BucketRecord>();
        while (reader.Read())
        {
            result.Add(ReadBucket(reader));
        }

        return result;
    });

    public Task SetVersioningAsync(string name, VersioningState state, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var bucket = Find(connection, transaction, name) ?? throw NoSuchBucket(name);
            if (LockEngine.CheckVersioningChange(bucket.ObjectLockEnabled, state == VersioningState.Enabled) is { } denied)
            {
                throw denied;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE buckets SET versioning = $v WHERE name = $n";
            command.Parameters.AddWithValue("$n", name);
            command.Parameters.AddWithValue("$v", (int)state);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <summary>
    /// PutObjectLockConfiguration: enables Object Lock (only on a versioning-enabled bucket, and never reversibly) and
    /// replaces the default retention rule (null removes it; existing versions are never touched). A rule longer than
    /// the bucket's maximum retention, judged at <paramref name="now"/>, is refused.
    /// </summary>
    public Task<BucketRecord> SetObjectLockConfigurationAsync(string name, DefaultRetention? rule, TrustedInstant now, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) => SetObjectLockConfiguration(connection, transaction, name, rule, now), cancellationToken);

    /// <summary>PutObjectLockConfiguration inside a caller's write transaction (an approved change commits with its approval).</summary>
    internal static BucketRecord SetObjectLockConfiguration(SqliteConnection connection, SqliteTransaction transaction, string name, DefaultRetention? rule, TrustedInstant now)
    {
        var bucket = CheckObjectLockConfiguration(Find(connection, transaction, name) ?? throw NoSuchBucket(name), rule, now);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE buckets SET object_lock = 1, lock_default_mode = $m, lock_default_days = $d, lock_default_years = $y WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$m", rule is null ? DBNull.Value : (int)rule.Mode);
        command.Parameters.AddWithValue("$d", (object?)rule?.Days ?? DBNull.Value);
        command.Parameters.AddWithValue("$y", (object?)rule?.Years ?? DBNull.Value);
        command.ExecuteNonQuery();
        return bucket with { ObjectLockEnabled = true, DefaultRetention = rule };
    }

    /// <summary>Refuses a lock configuration the bucket cannot take (no versioning, a rule beyond its maximum retention).</summary>
    internal static BucketRecord CheckObjectLockConfiguration(BucketRecord bucket, DefaultRetention? rule, TrustedInstant now)
    {
        if (!bucket.ObjectLockEnabled && LockEngine.CheckEnableObjectLock(bucket.Versioning == VersioningState.Enabled) is { } denied)
        {
            throw denied;
        }

        if (LockEngine.CheckDefaultRuleLimit(rule, bucket.Limits.MaxRetention, now) is { } beyond)
        {
            throw beyond;
        }

        return bucket;
    }

    /// <summary>
    /// Replaces a bucket's maximum retention and quota (write-once never changes) inside a caller's write transaction.
    /// Only an approved request gets here (docs/approvals.md); the caller has refused a raised maximum retention.
    /// </summary>
    internal static BucketRecord SetLimits(SqliteConnection connection, SqliteTransaction transaction, string name, MaxRetention? maxRetention, long? quotaBytes)
    {
        var bucket = Find(connection, transaction, name) ?? throw NoSuchBucket(name);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE buckets SET max_retention_days = $md, max_retention_years = $my, quota_bytes = $q WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$md", (object?)maxRetention?.Days ?? DBNull.Value);
        command.Parameters.AddWithValue("$my", (object?)maxRetention?.Years ?? DBNull.Value);
        command.Parameters.AddWithValue("$q", (object?)quotaBytes ?? DBNull.Value);
        command.ExecuteNonQuery();
        return bucket with { Limits = bucket.Limits with { MaxRetention = maxRetention, QuotaBytes = quotaBytes } };
    }

    /// <summary>
    /// Deletes an empty bucket. Any version or delete marker left means BucketNotEmpty; uploads in flight are
    /// aborted with it and their part files are returned for removal.
    /// </summary>
    public Task<IReadOnlyList<string>> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) => Delete(connection, transaction, name), cancellationToken);

    /// <summary>Refuses to delete a bucket that does not exist or still holds a version or delete marker.</summary>
    internal static void CheckDeletable(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        _ = Find(connection, transaction, name) ?? throw NoSuchBucket(name);
        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = "SELECT EXISTS(SELECT 1 FROM versions WHERE bucket = $n)";
        count.Parameters.AddWithValue("$n", name);
        if (Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0)
        {
            throw new S3Exception(S3Errors.BucketNotEmpty).With("BucketName", name);
        }
    }

    /// <summary>DeleteBucket inside a caller's write transaction; returns the part files to remove after commit.</summary>
    internal static IReadOnlyList<string> Delete(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        CheckDeletable(connection, transaction, name);
        var orphans = new List<string>();
        using (var parts = connection.CreateCommand())
        {
            parts.Transaction = transaction;
            parts.CommandText = "SELECT p.file_id FROM parts p JOIN uploads u ON u.upload_id = p.upload_id WHERE u.bucket = $n";
            parts.Parameters.AddWithValue("$n", name);
            using var reader = parts.ExecuteReader();
            while (reader.Read())
            {
                orphans.Add(reader.GetString(0));
            }
        }

        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM uploads WHERE bucket = $n; DELETE FROM buckets WHERE name = $n;";
        delete.Parameters.AddWithValue("$n", name);
        delete.ExecuteNonQuery();
        return orphans;
    }

    internal static S3Exception NoSuchBucket(string name) => new S3Exception(S3Errors.NoSuchBucket).With("BucketName", name);

    internal static BucketRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM buckets WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadBucket(reader) : null;
    }

    private const string Columns =
        "name, created_ms, versioning, object_lock, lock_default_mode, lock_default_days, lock_default_years, max_retention_days, max_retention_years, write_once, quota_bytes";

    private static BucketRecord ReadBucket(SqliteDataReader reader) => new(
        reader.GetString(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        (VersioningState)reader.GetInt32(2),
        reader.GetInt32(3) != 0)
    {
        DefaultRetention = reader.IsDBNull(4)
            ? null
            : new DefaultRetention((LockMode)reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetInt32(6)),
        Limits = new BucketLimits(
            reader.IsDBNull(7) && reader.IsDBNull(8) ? null : new MaxRetention(reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetInt32(8)),
            reader.GetInt32(9) != 0,
            reader.IsDBNull(10) ? null : reader.GetInt64(10)),
    };
}
