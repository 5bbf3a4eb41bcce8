using System.Globalization;
using System.Text;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Scrubbing;

/// <summary>One segment row with the version it belongs to.</summary>
internal sealed record StoredSegment(long Sequence, string Bucket, string Key, string VersionId, int Index, string FileId, long Size, string PartETag);

/// <summary>
/// The scrubber's read-only queries over the metadata store (schema version 1, docs/vault-storage.md). Each call is
/// one short read on a pooled connection, so a scrub never holds a read transaction open while it reads files
/// (a long reader would keep SQLite from checkpointing the WAL of a serving vault).
/// </summary>
internal sealed class StoredSegments
{
    private readonly MetadataDatabase _database;

    public StoredSegments(MetadataDatabase database)
    {
        _database = database;
    }

    /// <summary>Total bytes and number of versions with data, for progress.</summary>
    public (long Bytes, long Versions) Totals() => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(size), 0), count(DISTINCT seq) FROM segments";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    });

    /// <summary>
    /// The next <paramref name="limit"/> segments after (<paramref name="afterSequence"/>, <paramref name="afterIndex"/>)
    /// in (seq, idx) order: the segments table's primary key, so each batch is a range scan. Keyset paging keeps
    /// going correctly while the vault adds and removes versions.
    /// </summary>
    public List<StoredSegment> NextBatch(long afterSequence, int afterIndex, int limit) => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.seq, v.bucket, v.key, v.version_id, s.idx, s.file_id, s.size, s.part_etag
            FROM segments s JOIN versions v ON v.seq = s.seq
            WHERE (s.seq, s.idx) > ($seq, $idx)
            ORDER BY s.seq, s.idx
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$seq", afterSequence);
        command.Parameters.AddWithValue("$idx", afterIndex);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var batch = new List<StoredSegment>(limit);
        while (reader.Read())
        {
            batch.Add(new StoredSegment(
                reader.GetInt64(0),
                reader.GetString(1),
                Encoding.UTF8.GetString((byte[])reader.GetValue(2)),
                reader.GetString(3),
                reader.GetInt32(4),
                reader.GetString(5),
                reader.GetInt64(6),
                reader.GetString(7)));
        }

        return batch;
    });

    /// <summary>
    /// Whether the segment is still committed. A serving vault deletes a version's files right after the commit that
    /// removed it; a check that raced with that delete must not be reported as damage.
    /// </summary>
    public bool StillReferenced(StoredSegment segment) => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM segments WHERE seq = $seq AND idx = $idx AND file_id = $file";
        command.Parameters.AddWithValue("$seq", segment.Sequence);
        command.Parameters.AddWithValue("$idx", segment.Index);
        command.Parameters.AddWithValue("$file", segment.FileId);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    });

    /// <summary>
    /// Calls <paramref name="referenced"/> for every file id a committed segment or an in-flight multipart part names.
    /// One statement, hence one snapshot: a completion that moves a file from parts to segments is seen on one side.
    /// </summary>
    public void ForEachReferencedFile(Action<string> referenced) => _database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file_id FROM segments UNION ALL SELECT file_id FROM parts";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            referenced(reader.GetString(0));
        }

        return true;
    });
}
