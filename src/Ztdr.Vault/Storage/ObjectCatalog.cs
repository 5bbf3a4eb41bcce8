using System.Text;
using Microsoft.Data.Sqlite;
using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Object versions and delete markers in the metadata store. Every mutation runs inside one write transaction that
/// also re-reads the state it depends on (bucket versioning, the current latest version).
/// Mutations return the data files they orphaned; the caller removes those only after the commit.
/// </summary>
public sealed partial class ObjectCatalog
{
    private const string VersionColumns =
        "seq, bucket, key, version_id, is_delete_marker, is_latest, size, etag, last_modified_ms, headers, checksum_algorithm, checksum_value, checksum_type, lock_mode, retain_until_ms, legal_hold, writer";

    private readonly MetadataDatabase _db;
    private readonly TimeProvider _time;

    public ObjectCatalog(MetadataDatabase db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    /// <summary>
    /// Publishes a new version whose data is already durable; on an unversioned or suspended bucket it replaces the
    /// null version, which the lock engine must allow. Lock settings: the request's, else the bucket's default rule
    /// counted from trusted time.
    /// </summary>
    public Task<Mutation<ObjectVersion>> PutAsync(NewVersion version, TrustedInstant now = default, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var bucket = BucketCatalog.Find(connection, transaction, version.Bucket) ?? throw BucketCatalog.NoSuchBucket(version.Bucket);
            var key = Encoding.UTF8.GetBytes(version.Key);
            var (retention, legalHold) = ResolveLock(bucket, version.Retention, version.LegalHold, now);
            if (version.RequireAbsent && FindLatest(connection, transaction, version.Bucket, key) is { IsDeleteMarker: false })
            {
                // Checked in the commit itself: two racing write-once PUTs cannot both succeed.
                throw new S3Exception(S3Errors.PreconditionFailed).With("Condition", "If-None-Match");
            }

            CheckNewVersion(connection, transaction, bucket, key, version.Writer, version.Size, retention, now);

            var orphans = new List<string>();
            var wallNow = _time.GetUtcNow();
            string versionId;
            if (bucket.Versioning == VersioningState.Enabled)
            {
                versionId = VersionIds.New(wallNow);
            }
            else
            {
                versionId = ObjectVersion.NullVersionId;
                var existing = FindRow(connection, transaction, version.Bucket, key, ObjectVersion.NullVersionId);
                if (existing is not null)
                {
                    if (LockEngine.CheckReplaceNullVersion(existing.Lock, now) is { } denied)
                    {
                        throw denied;
                    }

                    orphans.AddRange(RemoveRow(connection, transaction, existing));
                }
            }

            var written = Insert(connection, transaction, version.Bucket, key, versionId, isDeleteMarker: false, version.Size, version.ETag, wallNow, version.Headers, version.Checksum, version.Segments, retention, legalHold, version.Writer);
            return new Mutation<ObjectVersion>(written, orphans);
        }, cancellationToken);

    /// <summary>
    /// The bucket's limits for a new version of <paramref name="key"/>, read in the transaction that will insert it, so
    /// two racing writes can neither both take the last bytes of a quota nor both take a write-once name.
    /// </summary>
    internal static void CheckNewVersion(
        SqliteConnection connection, SqliteTransaction transaction, BucketRecord bucket, byte[] key, string? writer, long size, Retention? retention, TrustedInstant now)
    {
        var holdsVersion = bucket.Limits.WriteOnce && NameHoldsVersion(connection, transaction, bucket.Name, key);
        var bucketUsage = UsageLedger.ForBucket(connection, transaction, bucket);
        var keyUsage = UsageLedger.ForKey(connection, transaction, writer);
        if (LockEngine.CheckNewVersion(bucket.Limits, retention, size, holdsVersion, bucketUsage, keyUsage, now) is { } denied)
        {
            throw denied;
        }
    }

    /// <summary>
    /// Whether any version that is not a delete marker exists for the name, current or not: hiding a version behind a
    /// delete marker must not free its name for a replacement.
    /// </summary>
    private static bool NameHoldsVersion(SqliteConnection connection, SqliteTransaction transaction, string bucket, byte[] key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT EXISTS(SELECT 1 FROM versions WHERE bucket = $b AND key = $k AND is_delete_marker = 0)";
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", key);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>The lock a new version gets: explicit settings need a lock bucket; otherwise the default rule applies.</summary>
    internal static (Retention? Retention, bool? LegalHold) ResolveLock(BucketRecord bucket, Retention? explicitRetention, bool? legalHold, TrustedInstant now)
    {
        if (!bucket.ObjectLockEnabled)
        {
            if (explicitRetention is not null || legalHold is not null)
            {
                throw new S3Exception(S3Errors.InvalidRequest, "Bucket is missing ObjectLockConfiguration");
            }

            return (null, null);
        }

        if (explicitRetention is not null)
        {
            if ((LockEngine.CheckNewRetention(explicitRetention, now) ?? LockEngine.CheckRetentionLimit(explicitRetention, bucket.Limits.MaxRetention, now)) is { } denied)
            {
                throw denied;
            }

            return (explicitRetention, legalHold);
        }

        return (LockEngine.ApplyDefault(bucket.DefaultRetention, now.Now), legalHold);
    }

    /// <summary>The version named, or the latest (which may be a delete marker) when <paramref name="versionId"/> is null.</summary>
    public ObjectVersion? Find(string bucket, string key, string? versionId) => _db.Read(connection =>
    {
        var row = versionId is null
            ? FindLatest(connection, null, bucket, Encoding.UTF8.GetBytes(key))
            : FindRow(connection, null, bucket, Encoding.UTF8.GetBytes(key), versionId);
        return row is null ? null : row with { Segments = LoadSegments(connection, null, row.Sequence) };
    });

    /// <summary>
    /// A default <paramref name="now"/> is an untrusted instant: no retention counts as expired (fail closed).
    /// DELETE semantics of S3: without a version id, a delete marker on a versioned bucket (or removal of the null
    /// version otherwise); with one, permanent removal of that version. A version id that does not exist is a no-op.
    /// </summary>
    public Task<Mutation<DeleteOutcome>> DeleteAsync(string bucketName, string key, string? versionId, DeleteAuthority authority = default, TrustedInstant now = default, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var bucket = BucketCatalog.Find(connection, transaction, bucketName) ?? throw BucketCatalog.NoSuchBucket(bucketName);
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var orphans = new List<string>();
            if (versionId is not null)
            {
                var target = FindRow(connection, transaction, bucketName, keyBytes, versionId);
                if (target is null)
                {
                    return new Mutation<DeleteOutcome>(new DeleteOutcome(versionId, false), orphans);
                }

                // The one check every permanent removal passes, in the same transaction as the removal.
                if (LockEngine.CheckDeleteVersion(target.Lock, authority.BypassRequested, authority.BypassPermitted, now) is { } denied)
                {
                    throw denied;
                }

                orphans.AddRange(RemoveRow(connection, transaction, target));
                return new Mutation<DeleteOutcome>(new DeleteOutcome(target.VersionId, target.IsDeleteMarker) { Removed = target.IsDeleteMarker ? null : target.Lock }, orphans);
            }

            var wallNow = _time.GetUtcNow();
            switch (bucket.Versioning)
            {
                case VersioningState.Enabled:
                    var marker = Insert(connection, transaction, bucketName, keyBytes, VersionIds.New(wallNow), isDeleteMarker: true, 0, string.Empty, wallNow, StoredHeaders.Empty, null, [], null, null);
                    return new Mutation<DeleteOutcome>(new DeleteOutcome(marker.VersionId, true), orphans);
                case VersioningState.Suspended:
                    RemoveNull(connection, transaction, bucketName, keyBytes, orphans, authority, now);
                    var nullMarker = Insert(connection, transaction, bucketName, keyBytes, ObjectVersion.NullVersionId, isDeleteMarker: true, 0, string.Empty, wallNow, StoredHeaders.Empty, null, [], null, null);
                    return new Mutation<DeleteOutcome>(new DeleteOutcome(nullMarker.VersionId, true), orphans);
                default:
                    RemoveNull(connection, transaction, bucketName, keyBytes, orphans, authority, now);
                    return new Mutation<DeleteOutcome>(new DeleteOutcome(null, false), orphans);
            }
        }, cancellationToken);

    /// <summary>Sequence of a version, for resuming a version listing from (key-marker, version-id-marker).</summary>
    public long? FindSequence(string bucket, string key, string versionId) =>
        _db.Read(connection => FindRow(connection, null, bucket, Encoding.UTF8.GetBytes(key), versionId)?.Sequence);

    /// <summary>Bytes stored in a bucket's versions (for capacity reports).</summary>
    public long UsedBytes(string bucket) => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(size), 0) FROM versions WHERE bucket = $b";
        command.Parameters.AddWithValue("$b", bucket);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    internal static ObjectVersion Insert(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string bucket,
        byte[] key,
        string versionId,
        bool isDeleteMarker,
        long size,
        string etag,
        DateTimeOffset now,
        StoredHeaders headers,
        StoredChecksum? checksum,
        IReadOnlyList<Segment> segments,
        Retention? retention = null,
        bool? legalHold = null,
        string? writer = null)
    {
        using (var demote = connection.CreateCommand())
        {
            demote.Transaction = transaction;
            demote.CommandText = "UPDATE versions SET is_latest = 0 WHERE bucket = $b AND key = $k AND is_latest = 1";
            demote.Parameters.AddWithValue("$b", bucket);
            demote.Parameters.AddWithValue("$k", key);
            demote.ExecuteNonQuery();
        }

        var ms = now.ToUnixTimeMilliseconds();
        long seq;
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO versions(bucket, key, version_id, is_latest, is_delete_marker, size, etag, last_modified_ms, headers, checksum_algorithm, checksum_value, checksum_type, lock_mode, retain_until_ms, legal_hold, writer)
                VALUES ($b, $k, $v, 1, $m, $s, $e, $t, $h, $ca, $cv, $ct, $lm, $lr, $lh, $w) RETURNING seq
                """;
            insert.Parameters.AddWithValue("$b", bucket);
            insert.Parameters.AddWithValue("$k", key);
            insert.Parameters.AddWithValue("$v", versionId);
            insert.Parameters.AddWithValue("$m", isDeleteMarker ? 1 : 0);
            insert.Parameters.AddWithValue("$s", size);
            insert.Parameters.AddWithValue("$e", etag);
            insert.Parameters.AddWithValue("$t", ms);
            insert.Parameters.AddWithValue("$h", StoredHeadersJson.Write(headers));
            insert.Parameters.AddWithValue("$ca", (object?)checksum?.Algorithm ?? DBNull.Value);
            insert.Parameters.AddWithValue("$cv", (object?)checksum?.Value ?? DBNull.Value);
            insert.Parameters.AddWithValue("$ct", (object?)checksum?.Type ?? DBNull.Value);
            insert.Parameters.AddWithValue("$lm", retention is null ? DBNull.Value : (int)retention.Mode);
            insert.Parameters.AddWithValue("$lr", retention is null ? DBNull.Value : retention.RetainUntil.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$lh", legalHold is null ? DBNull.Value : legalHold.Value ? 1 : 0);
            insert.Parameters.AddWithValue("$w", (object?)writer ?? DBNull.Value);
            seq = Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < segments.Count; i++)
        {
            using var segment = connection.CreateCommand();
            segment.Transaction = transaction;
            segment.CommandText = "INSERT INTO segments(seq, idx, file_id, size, part_etag) VALUES ($q, $i, $f, $s, $e)";
            segment.Parameters.AddWithValue("$q", seq);
            segment.Parameters.AddWithValue("$i", i);
            segment.Parameters.AddWithValue("$f", segments[i].FileId);
            segment.Parameters.AddWithValue("$s", segments[i].Size);
            segment.Parameters.AddWithValue("$e", segments[i].PartETag);
            segment.ExecuteNonQuery();
        }

        UsageLedger.Add(connection, transaction, bucket, writer, size);
        return new ObjectVersion(seq, bucket, Encoding.UTF8.GetString(key), versionId, isDeleteMarker, true, size, etag,
            DateTimeOffset.FromUnixTimeMilliseconds(ms), headers, checksum, segments)
        {
            Retention = retention is null ? null : retention with { RetainUntil = DateTimeOffset.FromUnixTimeMilliseconds(retention.RetainUntil.ToUnixTimeMilliseconds()) },
            LegalHold = legalHold,
            Writer = writer,
        };
    }

    private static void RemoveNull(SqliteConnection connection, SqliteTransaction transaction, string bucket, byte[] key, List<string> orphans, DeleteAuthority authority, TrustedInstant now)
    {
        var existing = FindRow(connection, transaction, bucket, key, ObjectVersion.NullVersionId);
        if (existing is not null)
        {
            if (LockEngine.CheckDeleteVersion(existing.Lock, authority.BypassRequested, authority.BypassPermitted, now) is { } denied)
            {
                throw denied;
            }

            orphans.AddRange(RemoveRow(connection, transaction, existing));
        }
    }

    /// <summary>
    /// Deletes one version row, re-elects the latest version of its key, and returns the data files it used.
    /// Callers have asked the lock engine first, in the same transaction.
    /// </summary>
    internal static List<string> RemoveRow(SqliteConnection connection, SqliteTransaction transaction, ObjectVersion row)
    {
        var files = LoadSegments(connection, transaction, row.Sequence).Select(s => s.FileId).ToList();
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = """
            DELETE FROM versions WHERE seq = $q;
            UPDATE versions SET is_latest = 1
            WHERE seq = (SELECT MAX(seq) FROM versions WHERE bucket = $b AND key = $k)
              AND NOT EXISTS (SELECT 1 FROM versions WHERE bucket = $b AND key = $k AND is_latest = 1);
            """;
        delete.Parameters.AddWithValue("$q", row.Sequence);
        delete.Parameters.AddWithValue("$b", row.Bucket);
        delete.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes(row.Key));
        delete.ExecuteNonQuery();
        UsageLedger.Add(connection, transaction, row.Bucket, row.Writer, -row.Size);
        return files;
    }

    internal static ObjectVersion? FindRow(SqliteConnection connection, SqliteTransaction? transaction, string bucket, byte[] key, string versionId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {VersionColumns} FROM versions WHERE bucket = $b AND key = $k AND version_id = $v";
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", versionId);
        return ReadRows(command).FirstOrDefault();
    }

    internal static ObjectVersion? FindLatest(SqliteConnection connection, SqliteTransaction? transaction, string bucket, byte[] key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {VersionColumns} FROM versions WHERE bucket = $b AND key = $k AND is_latest = 1";
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", key);
        return ReadRows(command).FirstOrDefault();
    }

    private static List<Segment> LoadSegments(SqliteConnection connection, SqliteTransaction? transaction, long seq)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT file_id, size, part_etag FROM segments WHERE seq = $q ORDER BY idx";
        command.Parameters.AddWithValue("$q", seq);
        using var reader = command.ExecuteReader();
        var result = new List<Segment>();
        while (reader.Read())
        {
            result.Add(new Segment(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        }

        return result;
    }

    private static List<ObjectVersion> ReadRows(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var result = new List<ObjectVersion>();
        while (reader.Read())
        {
            StoredChecksum? checksum = reader.IsDBNull(10)
                ? null
                : new StoredChecksum(reader.GetString(10), reader.GetString(11), reader.IsDBNull(12) ? "FULL_OBJECT" : reader.GetString(12));
            result.Add(new ObjectVersion(
                reader.GetInt64(0),
                reader.GetString(1),
                Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)),
                reader.GetString(3),
                reader.GetInt32(4) != 0,
                reader.GetInt32(5) != 0,
                reader.GetInt64(6),
                reader.GetString(7),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                StoredHeadersJson.Read(reader.GetString(9)),
                checksum,
                [])
            {
                Retention = reader.IsDBNull(13) ? null : new Retention((LockMode)reader.GetInt32(13), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14))),
                LegalHold = reader.IsDBNull(15) ? null : reader.GetInt32(15) != 0,
                Writer = reader.IsDBNull(16) ? null : reader.GetString(16),
            });
        }

        return result;
    }
}
