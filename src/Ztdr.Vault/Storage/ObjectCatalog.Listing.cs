using Microsoft.Data.Sqlite;

namespace Ztdr.Vault.Storage;

/// <content>Listing: current versions and all versions of a prefix, in key byte order, a page at a time.</content>
public sealed partial class ObjectCatalog
{
    /// <summary>Current, non-deleted versions with key in [prefix, prefix+0xFF) and key &gt; <paramref name="afterKey"/>, in UTF-8 byte order.</summary>
    public IReadOnlyList<ObjectVersion> ListLatest(string bucket, byte[] prefix, byte[]? afterKey, int limit) => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {VersionColumns} FROM versions
            WHERE bucket = $b AND is_latest = 1 AND is_delete_marker = 0 AND key >= $lo AND key < $hi AND key > $after
            ORDER BY key LIMIT $limit
            """;
        AddRange(command, bucket, prefix, afterKey, limit);
        return ReadRows(command);
    });

    /// <summary>
    /// All versions and delete markers with the prefix, ordered by key then newest first, strictly after
    /// (<paramref name="afterKey"/>, <paramref name="afterSequence"/>); a null sequence means after every version of that key.
    /// </summary>
    public IReadOnlyList<ObjectVersion> ListVersions(string bucket, byte[] prefix, byte[]? afterKey, long? afterSequence, int limit) => _db.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {VersionColumns} FROM versions
            WHERE bucket = $b AND key >= $lo AND key < $hi AND (key > $after OR (key = $after AND seq < $seq))
            ORDER BY key, seq DESC LIMIT $limit
            """;
        AddRange(command, bucket, prefix, afterKey, limit);
        command.Parameters.AddWithValue("$seq", afterSequence ?? long.MinValue);
        return ReadRows(command);
    });

    private static void AddRange(SqliteCommand command, string bucket, byte[] prefix, byte[]? afterKey, int limit)
    {
        // UTF-8 never contains 0xFF, so [prefix, prefix+0xFF) is exactly the keys that start with prefix.
        var high = new byte[prefix.Length + 1];
        prefix.CopyTo(high, 0);
        high[^1] = 0xFF;
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$lo", prefix);
        command.Parameters.AddWithValue("$hi", high);
        command.Parameters.AddWithValue("$after", afterKey ?? []);
        command.Parameters.AddWithValue("$limit", limit);
    }
}
