using System.Globalization;
using Microsoft.Data.Sqlite;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Stored version bytes per (bucket, writer), kept in the <c>usage</c> table by the same transaction that inserts or
/// removes a version, so a quota check never scans versions and never disagrees with them.
/// </summary>
internal static class UsageLedger
{
    /// <summary>Writer of versions from before schema version 3, whose writer nobody recorded.</summary>
    public const string UnknownWriter = "";

    public static void Add(SqliteConnection connection, SqliteTransaction transaction, string bucket, string? writer, long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO usage(bucket, access_key_id, bytes) VALUES ($b, $w, $n)
            ON CONFLICT(bucket, access_key_id) DO UPDATE SET bytes = bytes + excluded.bytes
            """;
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$w", writer ?? UnknownWriter);
        command.Parameters.AddWithValue("$n", bytes);
        command.ExecuteNonQuery();
    }

    /// <summary>The bucket's stored bytes against its quota; no query when it has none.</summary>
    public static QuotaUsage ForBucket(SqliteConnection connection, SqliteTransaction transaction, BucketRecord bucket) =>
        bucket.Limits.QuotaBytes is { } quota
            ? new QuotaUsage(Sum(connection, transaction, "SELECT COALESCE(SUM(bytes), 0) FROM usage WHERE bucket = $p", bucket.Name), quota)
            : new QuotaUsage(0, null);

    /// <summary>The key's stored bytes in every bucket against its quota; no quota for an unknown writer.</summary>
    public static QuotaUsage ForKey(SqliteConnection connection, SqliteTransaction transaction, string? writer)
    {
        if (writer is null)
        {
            return new QuotaUsage(0, null);
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT quota_bytes FROM access_keys WHERE access_key_id = $k";
        command.Parameters.AddWithValue("$k", writer);
        return command.ExecuteScalar() is long quota
            ? new QuotaUsage(Sum(connection, transaction, "SELECT COALESCE(SUM(bytes), 0) FROM usage WHERE access_key_id = $p", writer), quota)
            : new QuotaUsage(0, null);
    }

    private static long Sum(SqliteConnection connection, SqliteTransaction? transaction, string sql, string parameter)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$p", parameter);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
