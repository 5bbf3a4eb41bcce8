using Microsoft.Data.Sqlite;

namespace Ztdr.Vault.Storage;

/// <summary>
/// The embedded transactional store (SQLite, WAL, synchronous=FULL): a commit is on disk before it returns.
/// All writes go through one connection under one lock, so a check and the mutation it guards always run in
/// the same transaction with nothing in between (no check-then-act race). Reads use their own pooled connections
/// and see only committed state.
/// </summary>
public sealed class MetadataDatabase : IDisposable
{
    /// <summary>Schema version 1 — docs/vault-storage.md. A change here is a new version with a migration.</summary>
    public const int SchemaVersion = 1;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly string _connectionString;

    private MetadataDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
    }

    public static MetadataDatabase Open(string path, bool create)
    {
        if (!create && !File.Exists(path))
        {
            throw new InvalidOperationException($"no metadata store at {path}: is this an initialised vault data folder?");
        }

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (create && !File.Exists(path))
        {
            // Create the file 0600 before SQLite opens it: access keys live in this store.
            using (File.Create(path, 0, FileOptions.None))
            {
            }

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var db = new MetadataDatabase(path);
        try
        {
            db.EnsureSchema();
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return db;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; commits durably unless it throws.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _writer.BeginTransaction(deferred: false);
            var result = work(_writer, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection; it sees only committed state.</summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return work(connection);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _writeLock.Dispose();
        SqliteConnection.ClearAllPools();
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void EnsureSchema()
    {
        using var transaction = _writer.BeginTransaction();
        Execute(_writer, "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);", transaction);
        using var read = _writer.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT value FROM meta WHERE name = 'schema_version'";
        var current = read.ExecuteScalar() as string;
        if (current is null)
        {
            Execute(_writer, SchemaV1, transaction);
            Execute(_writer, $"INSERT INTO meta(name, value) VALUES ('schema_version', '{SchemaVersion}');", transaction);
        }
        else if (current != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"metadata schema version {current} is not supported by this build (expects {SchemaVersion})");
        }

        transaction.Commit();
    }

    // Keys are stored as UTF-8 BLOBs so that ORDER BY compares bytes: S3 lists in UTF-8 byte order.
    // seq is global and only grows: it orders versions of a key newest-first without trusting any clock.
    internal const string SchemaV1 = """
        CREATE TABLE buckets(
            name TEXT PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            versioning INTEGER NOT NULL,
            object_lock INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE versions(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            bucket TEXT NOT NULL REFERENCES buckets(name),
            key BLOB NOT NULL,
            version_id TEXT NOT NULL,
            is_latest INTEGER NOT NULL,
            is_delete_marker INTEGER NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            last_modified_ms INTEGER NOT NULL,
            headers TEXT NOT NULL,
            checksum_algorithm TEXT,
            checksum_value TEXT,
            checksum_type TEXT
        );
        CREATE UNIQUE INDEX versions_by_key ON versions(bucket, key, seq);
        CREATE UNIQUE INDEX versions_by_id ON versions(bucket, key, version_id);
        CREATE INDEX versions_latest ON versions(bucket, key) WHERE is_latest = 1;
        CREATE TABLE segments(
            seq INTEGER NOT NULL REFERENCES versions(seq) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            file_id TEXT NOT NULL,
            size INTEGER NOT NULL,
            part_etag TEXT NOT NULL,
            PRIMARY KEY(seq, idx)
        ) WITHOUT ROWID;
        CREATE TABLE uploads(
            upload_id TEXT PRIMARY KEY,
            bucket TEXT NOT NULL REFERENCES buckets(name),
            key BLOB NOT NULL,
            initiated_ms INTEGER NOT NULL,
            headers TEXT NOT NULL,
            checksum_algorithm TEXT,
            checksum_type TEXT
        );
        CREATE INDEX uploads_by_key ON uploads(bucket, key, upload_id);
        CREATE TABLE parts(
            upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
            part_number INTEGER NOT NULL,
            file_id TEXT NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            checksum TEXT,
            last_modified_ms INTEGER NOT NULL,
            PRIMARY KEY(upload_id, part_number)
        ) WITHOUT ROWID;
        CREATE TABLE access_keys(
            access_key_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            roles TEXT NOT NULL,
            buckets TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            revoked_ms INTEGER
        );
        """;
}
