using Microsoft.Data.Sqlite;
using Ztdr.S3.Errors;

namespace Ztdr.Vault.Storage;

/// <summary>
/// The embedded transactional store (SQLite, WAL, synchronous=FULL): a write completes only after its commit is on
/// disk. All writes run one after another on one connection, so a check and the mutation it guards always run in the
/// same transaction with nothing in between (no check-then-act race). Writes that queue up while a commit is being
/// flushed are committed together (group commit, one fsync for the batch), each inside its own savepoint so a write
/// that throws is rolled back alone. Reads use their own pooled connections and see only committed state.
/// </summary>
public sealed class MetadataDatabase : IDisposable
{
    /// <summary>Schema version 3 — docs/vault-storage.md. A change here is a new version with a migration.</summary>
    public const int SchemaVersion = 4;

    /// <summary>Most writes one commit carries; bounds the latency a batch adds to its first member.</summary>
    private const int MaxBatch = 128;

    /// <summary>
    /// SQLite's memory for the whole process (sqlite3_soft_heap_limit64). Every pooled read connection otherwise keeps
    /// its own page cache of up to 2 MiB, and under load the pool grows with the thread pool, so SQLite's share of the
    /// resident set kept rising for minutes in the soak (docs/reliability.md, section 4). At the limit each connection
    /// recycles its own least recently used pages instead of taking more; pages come back from the OS page cache.
    /// </summary>
    private const long SoftHeapLimitBytes = 8L << 20;

    /// <summary>SQLITE_FULL: the database or its journal could not grow.</summary>
    private const int SqliteFull = 13;

    private readonly SqliteConnection _writer;
    private readonly string _connectionString;
    private readonly System.Threading.Channels.Channel<IPendingWrite> _queue =
        System.Threading.Channels.Channel.CreateUnbounded<IPendingWrite>(new() { SingleReader = true });

    private Task? _writerLoop;

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
        SQLitePCL.raw.sqlite3_soft_heap_limit64(SoftHeapLimitBytes);
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
            db.StartWriter();
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return db;
    }

    /// <summary>
    /// Runs <paramref name="work"/> atomically after every earlier write and completes once it is durably committed.
    /// If it throws, its changes are rolled back and the exception is rethrown; other writes are unaffected.
    /// The token only cancels waiting to be queued: once queued, a write runs to its atomic end.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(work);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(MetadataDatabase));
        }

        return pending.Task;
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
        _queue.Writer.TryComplete();
        _writerLoop?.GetAwaiter().GetResult();
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private void StartWriter() =>
        _writerLoop = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task WriteLoopAsync()
    {
        var batch = new List<IPendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            CommitBatch(batch);
        }
    }

    private void CommitBatch(List<IPendingWrite> batch)
    {
        try
        {
            using var transaction = _writer.BeginTransaction(deferred: false);
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                transaction.Save(savepoint);
                try
                {
                    batch[i].Run(_writer, transaction);
                    transaction.Release(savepoint);
                }
                catch (Exception e)
                {
                    transaction.Rollback(savepoint);
                    transaction.Release(savepoint);
                    batch[i].Fail(AsStorageFull(e));
                }
            }

            transaction.Commit();
        }
        catch (Exception e)
        {
            // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
            var failure = AsStorageFull(e);
            foreach (var pending in batch)
            {
                pending.Fail(failure);
            }

            return;
        }

        foreach (var pending in batch)
        {
            pending.Complete();
        }
    }

    /// <summary>
    /// SQLite out of space (SQLITE_FULL, or ENOSPC from the WAL) rolls the transaction back whole; the client hears
    /// StorageFull (507) like for a body that did not fit, not an internal error.
    /// </summary>
    private static Exception AsStorageFull(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } => new S3Exception(S3Errors.StorageFull, inner: e),
        IOException io when DataFileStore.IsNoSpace(io) => new S3Exception(S3Errors.StorageFull, inner: e),
        _ => e,
    };

    private interface IPendingWrite
    {
        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Fail(Exception e);

        /// <summary>Called after the commit is durable; completes the caller unless <see cref="Fail"/> already did.</summary>
        void Complete();
    }

    private sealed class PendingWrite<T> : IPendingWrite
    {
        private readonly Func<SqliteConnection, SqliteTransaction, T> _work;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public PendingWrite(Func<SqliteConnection, SqliteTransaction, T> work)
        {
            _work = work;
        }

        public Task<T> Task => _completion.Task;

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = _work(connection, transaction);

        public void Fail(Exception e) => _completion.TrySetException(e);

        public void Complete() => _completion.TrySetResult(_result!);
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
        switch (current)
        {
            case null:
                Execute(_writer, SchemaV1, transaction);
                Execute(_writer, MigrationV2, transaction);
                Execute(_writer, MigrationV3, transaction);
                Execute(_writer, MigrationV4, transaction);
                Execute(_writer, $"INSERT INTO meta(name, value) VALUES ('schema_version', '{SchemaVersion}');", transaction);
                break;
            case "1":
                // Version 1 stores (vaults from before Object Lock) gain the lock columns; every existing version
                // has none, which is exactly what NULL means in them.
                Execute(_writer, MigrationV2, transaction);
                Execute(_writer, MigrationV3, transaction);
                Execute(_writer, MigrationV4, transaction);
                Execute(_writer, $"UPDATE meta SET value = '{SchemaVersion}' WHERE name = 'schema_version';", transaction);
                break;
            case "2":
                Execute(_writer, MigrationV3, transaction);
                Execute(_writer, MigrationV4, transaction);
                Execute(_writer, $"UPDATE meta SET value = '{SchemaVersion}' WHERE name = 'schema_version';", transaction);
                break;
            case "3":
                Execute(_writer, MigrationV4, transaction);
                Execute(_writer, $"UPDATE meta SET value = '{SchemaVersion}' WHERE name = 'schema_version';", transaction);
                break;
            case "4":
                break;
            default:
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

    // Version 2: Object Lock. Modes are Locking.LockMode numbers (1 GOVERNANCE, 2 COMPLIANCE); times are Unix ms of
    // the vault's trusted clock; legal_hold is NULL when never set, 0 when released, 1 when on.
    internal const string MigrationV2 = """
        ALTER TABLE buckets ADD COLUMN lock_default_mode INTEGER;
        ALTER TABLE buckets ADD COLUMN lock_default_days INTEGER;
        ALTER TABLE buckets ADD COLUMN lock_default_years INTEGER;
        ALTER TABLE versions ADD COLUMN lock_mode INTEGER;
        ALTER TABLE versions ADD COLUMN retain_until_ms INTEGER;
        ALTER TABLE versions ADD COLUMN legal_hold INTEGER;
        ALTER TABLE uploads ADD COLUMN lock_mode INTEGER;
        ALTER TABLE uploads ADD COLUMN retain_until_ms INTEGER;
        ALTER TABLE uploads ADD COLUMN legal_hold INTEGER;
        """;

    // Version 3: limits (issue 12). Buckets from version 2 keep behaving as they did: no maximum retention (NULL), not
    // write-once (0), no quota (NULL). usage counts stored version bytes per (bucket, writer); versions written before
    // version 3 have no known writer and count under the empty access key id, against the bucket's quota only.
    internal const string MigrationV3 = """
        ALTER TABLE buckets ADD COLUMN max_retention_days INTEGER;
        ALTER TABLE buckets ADD COLUMN max_retention_years INTEGER;
        ALTER TABLE buckets ADD COLUMN write_once INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE buckets ADD COLUMN quota_bytes INTEGER;
        ALTER TABLE access_keys ADD COLUMN quota_bytes INTEGER;
        ALTER TABLE versions ADD COLUMN writer TEXT;
        CREATE TABLE usage(
            bucket TEXT NOT NULL,
            access_key_id TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY(bucket, access_key_id)
        ) WITHOUT ROWID;
        INSERT INTO usage(bucket, access_key_id, bytes) SELECT bucket, '', SUM(size) FROM versions GROUP BY bucket;
        """;

    // Version 4: four-eyes approvals (docs/approvals.md). parameters is the operation's JSON; secret holds the secret of
    // an admin key waiting to be created (never listed). state: 0 pending, 1 approved, 2 rejected, 3 expired. Times are
    // Unix ms of trusted time.
    internal const string MigrationV4 = """
        CREATE TABLE approvals(
            approval_id TEXT PRIMARY KEY,
            operation TEXT NOT NULL,
            parameters TEXT NOT NULL,
            secret TEXT,
            requester TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            state INTEGER NOT NULL,
            decided_by TEXT,
            decided_ms INTEGER
        );
        """;
}
