using System.Text;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Scrubbing;

/// <summary>One version's lock state as the metadata store holds it.</summary>
internal sealed record StoredLock(long Sequence, string Bucket, string Key, string VersionId, Retention? Retention, bool? LegalHold);

/// <summary>
/// Read-only queries over the versions table for the lock cross-check (schema version 3, docs/vault-storage.md): short
/// reads on pooled connections, keyset-paged by seq, like <see cref="StoredSegments"/>.
/// </summary>
internal sealed class StoredLocks
{
    private const string Columns = "seq, bucket, key, version_id, lock_mode, retain_until_ms, legal_hold";

    private readonly MetadataDatabase _database;

    public StoredLocks(MetadataDatabase database)
    {
        _database = database;
    }

    /// <summary>The next <paramref name="limit"/> versions that are not delete markers, after <paramref name="afterSequence"/>.</summary>
    public List<StoredLock> NextBatch(long afterSequence, int limit) => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM versions WHERE seq > $seq AND is_delete_marker = 0 ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$seq", afterSequence);
        command.Parameters.AddWithValue("$limit", limit);
        return Read(command);
    });

    /// <summary>The version as stored now; null when the store has no such version.</summary>
    public StoredLock? Find(string bucket, string key, string versionId) => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM versions WHERE bucket = $b AND key = $k AND version_id = $v AND is_delete_marker = 0";
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", Encoding.UTF8.GetBytes(key));
        command.Parameters.AddWithValue("$v", versionId);
        return Read(command).FirstOrDefault();
    });

    private static List<StoredLock> Read(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<StoredLock>();
        while (reader.Read())
        {
            // A mode without a date (or a date without a mode) is no retention the lock engine would honour.
            var retention = reader.IsDBNull(4) || reader.IsDBNull(5)
                ? null
                : new Retention((LockMode)reader.GetInt32(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
            rows.Add(new StoredLock(
                reader.GetInt64(0),
                reader.GetString(1),
                Encoding.UTF8.GetString((byte[])reader.GetValue(2)),
                reader.GetString(3),
                retention,
                reader.IsDBNull(6) ? null : reader.GetInt64(6) != 0));
        }

        return rows;
    }
}
