using System.Text;
using Microsoft.Data.Sqlite;
using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>Multipart uploads and their parts in the metadata store.</summary>
public sealed class UploadCatalog
{
    private readonly MetadataDatabase _db;
    private readonly TimeProvider _time;

    public UploadCatalog(MetadataDatabase db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    /// <summary>Starts an upload; explicit lock settings are validated now and frozen until completion.</summary>
    public Task<MultipartUpload> CreateAsync(
        string bucket,
        string key,
        StoredHeaders headers,
        string? checksumAlgorithm,
        string? checksumType,
        Retention? retention = null,
        bool? legalHold = null,
        TrustedInstant trustedNow = default,
        CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var bucketRecord = BucketCatalog.Find(connection, transaction, bucket) ?? throw BucketCatalog.NoSuchBucket(bucket);
            if (retention is not null || legalHold is not null)
            {
                _ = ObjectCatalog.ResolveLock(bucketRecord, retention, legalHold, trustedNow);
            }

            var now = _time.GetUtcNow();
            var upload = new MultipartUpload(VersionIds.New(now), bucket, key, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), headers, checksumAlgorithm, checksumType)
            {
                Retention = retention,
                LegalHold = legalHold,
            };
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO uploads(upload_id, bucket, key, initiated_ms, headers, checksum_algorithm, checksum_type, lock_mode, retain_until_ms, legal_hold)
                VALUES ($u, $b, $k, $t, $h, $a, $y, $lm, $lr, $lh)
                """;
            command.Parameters.AddWithValue("$u", upload.UploadId);
            command.Parameters.AddWithValue("$b", bucket);
            command.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes(key));
            command.Parameters.AddWithValue("$t", upload.Initiated.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$h", StoredHeadersJson.Write(headers));
            command.Parameters.AddWithValue("$a", (object?)checksumAlgorithm ?? DBNull.Value);
            command.Parameters.AddWithValue("$y", (object?)checksumType ?? DBNull.Value);
            command.Parameters.AddWithValue("$lm", retention is null ? DBNull.Value : (int)retention.Mode);
            command.Parameters.AddWithValue("$lr", retention is null ? DBNull.Value : retention.RetainUntil.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$lh", legalHold is null ? DBNull.Value : legalHold.Value ? 1 : 0);
            command.ExecuteNonQuery();
            return upload;
        }, cancellationToken);

    /// <summary>The upload, or NoSuchUpload when it does not exist or belongs to another bucket/key.</summary>
    public MultipartUpload Get(string bucket, string key, string uploadId) =>
        _db.Read(connection => Find(connection, null, bucket, key, uploadId)) ?? throw NoSuchUpload(uploadId);

    /// <summary>Records an uploaded part (replacing one with the same number); returns the replaced part's file.</summary>
    public Task<Mutation<UploadedPart>> PutPartAsync(string bucket, string key, string uploadId, UploadedPart part, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            _ = Find(connection, transaction, bucket, key, uploadId) ?? throw NoSuchUpload(uploadId);
            var orphans = new List<string>();
            using (var old = connection.CreateCommand())
            {
                old.Transaction = transaction;
                old.CommandText = "DELETE FROM parts WHERE upload_id = $u AND part_number = $n RETURNING file_id";
                old.Parameters.AddWithValue("$u", uploadId);
                old.Parameters.AddWithValue("$n", part.PartNumber);
                using var reader = old.ExecuteReader();
                while (reader.Read())
                {
                    orphans.Add(reader.GetString(0));
                }
            }

            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO parts(upload_id, part_number, file_id, size, etag, checksum, last_modified_ms) VALUES ($u, $n, $f, $s, $e, $c, $t)";
            insert.Parameters.AddWithValue("$u", uploadId);
            insert.Parameters.AddWithValue("$n", part.PartNumber);
            insert.Parameters.AddWithValue("$f", part.FileId);
            insert.Parameters.AddWithValue("$s", part.Size);
            insert.Parameters.AddWithValue("$e", part.ETag);
            insert.Parameters.AddWithValue("$c", (object?)part.Checksum ?? DBNull.Value);
            insert.Parameters.AddWithValue("$t", part.LastModified.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
            return new Mutation<UploadedPart>(part, orphans);
        }, cancellationToken);

    public IReadOnlyList<UploadedPart> ListParts(string uploadId, int afterPartNumber, int limit) => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT part_number, file_id, size, etag, checksum, last_modified_ms FROM parts WHERE upload_id = $u AND part_number > $a ORDER BY part_number LIMIT $l";
        command.Parameters.AddWithValue("$u", uploadId);
        command.Parameters.AddWithValue("$a", afterPartNumber);
        command.Parameters.AddWithValue("$l", limit);
        using var reader = command.ExecuteReader();
        var result = new List<UploadedPart>();
        while (reader.Read())
        {
            result.Add(new UploadedPart(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return result;
    });

    /// <summary>Uploads in a bucket ordered by (key, upload id), strictly after the markers.</summary>
    public IReadOnlyList<MultipartUpload> ListUploads(string bucket, byte[] prefix, byte[]? afterKey, string? afterUploadId, int limit) => _db.Read(connection =>
    {
        var high = new byte[prefix.Length + 1];
        prefix.CopyTo(high, 0);
        high[^1] = 0xFF;
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {UploadColumns} FROM uploads
            WHERE bucket = $b AND key >= $lo AND key < $hi AND (key > $ak OR (key = $ak AND upload_id > $au))
            ORDER BY key, upload_id LIMIT $l
            """;
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", high);
        command.Parameters.AddWithValue("$ak", afterKey ?? []);
        command.Parameters.AddWithValue("$au", afterUploadId ?? "\uFFFF");
        command.Parameters.AddWithValue("$l", limit);
        return ReadUploads(command);
    });

    /// <summary>
    /// Completes an upload: the chosen parts become the segments of a new version, the upload and its unused parts go.
    /// <paramref name="build"/> runs inside the transaction with the stored parts, validates the client's list and returns the version.
    /// </summary>
    public Task<Mutation<ObjectVersion>> CompleteAsync(
        string bucket,
        string key,
        string uploadId,
        Func<MultipartUpload, IReadOnlyDictionary<int, UploadedPart>, NewVersion> build,
        TrustedInstant trustedNow = default,
        CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            var upload = Find(connection, transaction, bucket, key, uploadId) ?? throw NoSuchUpload(uploadId);
            var parts = new Dictionary<int, UploadedPart>();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "SELECT part_number, file_id, size, etag, checksum, last_modified_ms FROM parts WHERE upload_id = $u";
                command.Parameters.AddWithValue("$u", uploadId);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    parts[reader.GetInt32(0)] = new UploadedPart(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
                }
            }

            var version = build(upload, parts);
            var bucketRecord = BucketCatalog.Find(connection, transaction, bucket) ?? throw BucketCatalog.NoSuchBucket(bucket);

            // Explicit settings were frozen at creation; the default rule counts from completion, when the version is born.
            var (retention, legalHold) = upload.Retention is not null
                ? (upload.Retention, upload.LegalHold)
                : ObjectCatalog.ResolveLock(bucketRecord, null, upload.LegalHold, trustedNow);
            var now = _time.GetUtcNow();
            var keyBytes = Encoding.UTF8.GetBytes(key);

            // Settings frozen at creation meet the limits again: the maximum is counted from completion.
            ObjectCatalog.CheckNewVersion(connection, transaction, bucketRecord, keyBytes, version.Writer, version.Size, retention, trustedNow);
            var orphans = new List<string>();
            var used = version.Segments.Select(s => s.FileId).ToHashSet(StringComparer.Ordinal);
            orphans.AddRange(parts.Values.Select(p => p.FileId).Where(f => !used.Contains(f)));
            string versionId = VersionIds.New(now);
            if (bucketRecord.Versioning != VersioningState.Enabled)
            {
                versionId = ObjectVersion.NullVersionId;
                var existing = ObjectCatalog.FindRow(connection, transaction, bucket, keyBytes, ObjectVersion.NullVersionId);
                if (existing is not null)
                {
                    if (LockEngine.CheckReplaceNullVersion(existing.Lock, trustedNow) is { } denied)
                    {
                        throw denied;
                    }

                    orphans.AddRange(ObjectCatalog.RemoveRow(connection, transaction, existing));
                }
            }

            var written = ObjectCatalog.Insert(connection, transaction, bucket, keyBytes, versionId, false, version.Size, version.ETag, now, version.Headers, version.Checksum, version.Segments, retention, legalHold, version.Writer);
            using var drop = connection.CreateCommand();
            drop.Transaction = transaction;
            drop.CommandText = "DELETE FROM uploads WHERE upload_id = $u";
            drop.Parameters.AddWithValue("$u", uploadId);
            drop.ExecuteNonQuery();
            return new Mutation<ObjectVersion>(written, orphans);
        }, cancellationToken);

    /// <summary>Aborts an upload; returns its part files for removal.</summary>
    public Task<Mutation<bool>> AbortAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default) =>
        _db.WriteAsync((connection, transaction) =>
        {
            _ = Find(connection, transaction, bucket, key, uploadId) ?? throw NoSuchUpload(uploadId);
            var orphans = new List<string>();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM parts WHERE upload_id = $u RETURNING file_id";
            command.Parameters.AddWithValue("$u", uploadId);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    orphans.Add(reader.GetString(0));
                }
            }

            command.CommandText = "DELETE FROM uploads WHERE upload_id = $u";
            command.ExecuteNonQuery();
            return new Mutation<bool>(true, orphans);
        }, cancellationToken);

    internal static S3Exception NoSuchUpload(string uploadId) => new S3Exception(S3Errors.NoSuchUpload).With("UploadId", uploadId);

    private static MultipartUpload? Find(SqliteConnection connection, SqliteTransaction? transaction, string bucket, string key, string uploadId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {UploadColumns} FROM uploads WHERE upload_id = $u AND bucket = $b AND key = $k";
        command.Parameters.AddWithValue("$u", uploadId);
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes(key));
        return ReadUploads(command).FirstOrDefault();
    }

    private const string UploadColumns = "upload_id, bucket, key, initiated_ms, headers, checksum_algorithm, checksum_type, lock_mode, retain_until_ms, legal_hold";

    private static List<MultipartUpload> ReadUploads(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var result = new List<MultipartUpload>();
        while (reader.Read())
        {
            result.Add(new MultipartUpload(
                reader.GetString(0),
                reader.GetString(1),
                Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                StoredHeadersJson.Read(reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6))
            {
                Retention = reader.IsDBNull(7) ? null : new Retention((LockMode)reader.GetInt32(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))),
                LegalHold = reader.IsDBNull(9) ? null : reader.GetInt32(9) != 0,
            });
        }

        return result;
    }
}
