using System.Security.Cryptography;
using System.Threading.Channels;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Audit;

/// <summary>
/// The audit chain on local disk (docs/audit-format.md): one JSON line per record, each holding the hash of the one
/// before. One writer loop owns the file; every record appended while a flush is in flight joins the next batch, so
/// a thousand concurrent requests cost a handful of fsyncs, not a thousand (group commit). Bytes once written are
/// never rewritten; the only truncation is of a torn fragment at start, which no caller was ever told was durable.
/// </summary>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable
{
    /// <summary>The audit folder's name inside a vault's data folder.</summary>
    public const string DirectoryName = "audit";

    /// <summary>Principal of the records the vault writes about itself.</summary>
    public const string VaultPrincipal = "ztdr-vault";

    /// <summary>Operation of the record written at start after dropping a torn final fragment.</summary>
    public const string RecoveredTornTailOperation = "audit:recovered-torn-tail";

    /// <summary>Records per batch at most; also how far the head anchor may trail the log.</summary>
    internal const int MaxBatch = 4096;

    /// <summary>All text fields of one event together; with worst-case escaping this keeps a line far below the reader's cap.</summary>
    internal const int MaxEventChars = 64 * 1024;

    /// <summary>Size of the space reserve: thousands of records' worth, enough to audit until an operator frees space.</summary>
    internal const int SpaceReserveBytes = 1 << 20;

    /// <summary>Bounds one batch's buffer (a few MiB even with worst-case escaping) however large the events are.</summary>
    private const int MaxBatchChars = 1024 * 1024;

    private readonly AuditPaths _paths;
    private readonly FileStream _lock;
    private readonly FileStream _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private long _sequence;
    private string _hash;
    private long _lastTimeTicks;
    private volatile AuditLogUnavailableException? _fault;
    private int _disposed;

    private AuditLog(AuditPaths paths, FileStream lockFile, FileStream log, AuditChainEnd end, AuditLogUnavailableException? readOnly = null)
    {
        _paths = paths;
        _lock = lockFile;
        _log = log;
        _sequence = end.Sequence;
        _hash = end.Hash;
        _lastTimeTicks = end.LastTime?.UtcTicks ?? 0;
        LastRecordAtOpen = end.LastTime;
        if (readOnly is null)
        {
            _writer = Task.Run(WriteLoopAsync);
        }
        else
        {
            _fault = readOnly;
            _queue.Writer.TryComplete();
            _writer = Task.CompletedTask;
        }
    }

    /// <inheritdoc/>
    public string? ReadOnlyReason => _fault?.Message;

    /// <summary>True while the log's own space reserve is in place (docs/audit-format.md, "Full disk").</summary>
    public bool HasSpaceReserve => File.Exists(_paths.SpaceReserve);

    /// <summary>
    /// The time of the chain's last complete record when it was opened, before any torn-tail repair (whose record is
    /// stamped by another clock); null for an empty chain. The secure clock checks its persisted time against it.
    /// </summary>
    public DateTimeOffset? LastRecordAtOpen { get; }

    /// <summary>The time of the last durable record (null while the chain is empty): how long the chain has been idle.</summary>
    /// <remarks>The time the record carries, not the largest seen, so one record stamped ahead cannot hide idleness for ever.</remarks>
    public DateTimeOffset? LastRecordTime
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastTimeTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The last durable record's sequence and hash (0 and the genesis hash for an empty log).</summary>
    public (long Sequence, string Hash) Head => (Interlocked.Read(ref _sequence), Volatile.Read(ref _hash));

    /// <inheritdoc cref="Open(string, TimeProvider)"/>
    public static AuditLog Open(string auditDirectory) => Open(auditDirectory, TimeProvider.System);

    /// <summary>
    /// Opens or creates the log in <paramref name="auditDirectory"/> (0700; files 0600) for this process alone.
    /// A torn final fragment is truncated and the recovery recorded as the next record, stamped by
    /// <paramref name="recoveryClock"/>. Refuses, with <see cref="AuditLogDamagedException"/>, a log the head anchor
    /// contradicts: continuing would overwrite the anchor and erase the evidence.
    /// </summary>
    public static AuditLog Open(string auditDirectory, TimeProvider recoveryClock)
    {
        var paths = new AuditPaths(Path.GetFullPath(auditDirectory));
        Directory.CreateDirectory(paths.Directory, AuditPaths.FolderMode);
        var lockFile = AcquireLock(paths);
        FileStream? log = null;
        try
        {
            // A head update cut by a power loss leaves its temporary file; the lock makes this process the only writer.
            DurableFile.DeleteLeftovers(paths.Directory);
            var logExists = File.Exists(paths.Log);
            var head = AuditHead.Read(paths.Head);
            if (head is null)
            {
                if (logExists && new FileInfo(paths.Log).Length > 0)
                {
                    throw AuditChainEnd.Damaged(paths.Log, "the head anchor file is missing");
                }

                // The anchor exists before the log does, so a log without one is always tampering, never a crash.
                head = AuditHead.Genesis;
                head.Write(paths.Head);
            }
            else if (!logExists && head.Sequence > 0)
            {
                throw AuditChainEnd.Damaged(paths.Log, $"the log file is missing but the head anchor names record {head.Sequence}");
            }

            var options = DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, AuditPaths.FileMode);
            options.Share = FileShare.Read; // verify and tail read while the vault runs; the lock file keeps writers to one
            options.BufferSize = 0;
            log = new FileStream(paths.Log, options);
            if (!logExists)
            {
                DurableFile.FlushDirectory(paths.Directory);
            }

            var end = AuditChainEnd.Find(log.SafeFileHandle, log.Length, head, paths.Log);
            EnsureSpaceReserve(paths);
            var audit = new AuditLog(paths, lockFile, log, end);
            audit.Recover(end, head, recoveryClock);
            return audit;
        }
        catch
        {
            log?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the log for this process alone without writing a byte, for a vault that starts with no space
    /// (docs/vault-storage.md, "Space tiers"): the anchor is checked as in <see cref="Open(string, TimeProvider)"/> and a
    /// damaged log is refused the same way, but a torn tail is left for the next writable start to recover and record,
    /// a trailing head is not brought up, and every append fails with <see cref="AuditLogUnavailableException"/>
    /// carrying <paramref name="reason"/>.
    /// </summary>
    public static AuditLog OpenReadOnly(string auditDirectory, string reason)
    {
        var paths = AuditPaths.Existing(auditDirectory);
        var lockFile = AcquireLock(paths);
        FileStream? log = null;
        try
        {
            var head = AuditHead.Read(paths.Head) ?? (File.Exists(paths.Log) && new FileInfo(paths.Log).Length > 0
                ? throw AuditChainEnd.Damaged(paths.Log, "the head anchor file is missing")
                : AuditHead.Genesis);
            if (!File.Exists(paths.Log) && head.Sequence > 0)
            {
                throw AuditChainEnd.Damaged(paths.Log, $"the log file is missing but the head anchor names record {head.Sequence}");
            }

            if (!File.Exists(paths.Log))
            {
                // No log yet and no room to create one: an empty chain that accepts no records. The lock file, empty
                // and never written through this stream, stands in as the log stream.
                log = new FileStream(paths.Lock, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0 });
                return new AuditLog(paths, lockFile, log, new AuditChainEnd(head.Sequence, head.Hash, 0, 0), ReadOnly(reason));
            }

            log = new FileStream(paths.Log, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0 });
            var end = AuditChainEnd.Find(log.SafeFileHandle, log.Length, head, paths.Log);
            return new AuditLog(paths, lockFile, log, end, ReadOnly(reason));
        }
        catch
        {
            log?.Dispose();
            lockFile.Dispose();
            throw;
        }

        static AuditLogUnavailableException ReadOnly(string reason) =>
            new($"The audit log is read-only: {reason}") { OutOfSpace = true };
    }

    /// <summary>Verifies the whole chain in <paramref name="auditDirectory"/>; reads only, so it is safe while the vault runs.</summary>
    public static AuditVerification Verify(string auditDirectory) => AuditVerifier.Verify(auditDirectory);

    /// <summary>The last <paramref name="count"/> complete records, oldest first. Does not verify the chain.</summary>
    public static IReadOnlyList<AuditRecord> Tail(string auditDirectory, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var paths = AuditPaths.Existing(auditDirectory);
        if (!File.Exists(paths.Log))
        {
            return [];
        }

        using var log = new FileStream(paths.Log, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0 });
        var records = new List<AuditRecord>();
        foreach (var line in AuditLogLines.Backward(log.SafeFileHandle, AuditLogLines.CompleteLength(log.SafeFileHandle, log.Length)))
        {
            if (!AuditRecordFormat.TryParse(line, out var record, out var error))
            {
                throw new AuditLogDamagedException($"The audit log '{paths.Log}' has an unreadable line among its last {count} ({error}); run 'ztdr-vault audit verify'.");
            }

            records.Add(record!);
            if (records.Count == count)
            {
                break;
            }
        }

        records.Reverse();
        return records;
    }

    /// <summary>
    /// Returns once the record is on disk (written and fsynced), or throws. Cancelling stops the wait, not the write: a
    /// record once handed over is recorded. After a write failure the log refuses every append (fail closed).
    /// </summary>
    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Validate(auditEvent);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var pending = new Pending(auditEvent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException(_fault as Exception ?? new ObjectDisposedException(nameof(AuditLog)));
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes every record already appended, then releases the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer;
        await _log.DisposeAsync();
        await _lock.DisposeAsync();
    }

    private static FileStream AcquireLock(AuditPaths paths)
    {
        try
        {
            // FileShare.None takes an exclusive flock: a second vault on the same folder would fork the chain.
            return new FileStream(paths.Lock, DurableFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, AuditPaths.FileMode));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"The audit log in '{paths.Directory}' is already open in another process or vault.", e);
        }
    }

    private static void Validate(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentNullException.ThrowIfNull(auditEvent.Principal, nameof(auditEvent));
        ArgumentNullException.ThrowIfNull(auditEvent.Operation, nameof(auditEvent));
        ArgumentNullException.ThrowIfNull(auditEvent.Outcome, nameof(auditEvent));
        var chars = Length(auditEvent);
        if (chars > MaxEventChars)
        {
            throw new ArgumentException($"An audit event holds at most {MaxEventChars} characters of text; this one holds {chars}.", nameof(auditEvent));
        }
    }

    private static long Length(AuditEvent auditEvent) =>
        (long)auditEvent.Principal.Length + auditEvent.Operation.Length + auditEvent.Outcome.Length
        + (auditEvent.Bucket?.Length ?? 0) + (auditEvent.Key?.Length ?? 0) + (auditEvent.VersionId?.Length ?? 0)
        + (auditEvent.Source?.Length ?? 0) + (auditEvent.RequestId?.Length ?? 0) + (auditEvent.Lock is null ? 0 : 64);

    /// <summary>Runs before the writer loop sees any record, so the recovery record takes the next sequence.</summary>
    private void Recover(AuditChainEnd end, AuditHead head, TimeProvider clock)
    {
        if (end.TornLength > 0)
        {
            // Only bytes past the last line feed go: no complete record, and nothing any caller was told was durable.
            var torn = new byte[end.TornLength];
            AuditLogLines.ReadExactly(_log.SafeFileHandle, torn, end.CompleteLength);
            _log.SetLength(end.CompleteLength);
            _log.Flush(flushToDisk: true);
            var detail = $"dropped {torn.Length} bytes after record {end.Sequence}, sha256 {Convert.ToHexStringLower(SHA256.HashData(torn))}";
            try
            {
                WriteBatch([new AuditEvent(clock.GetUtcNow(), VaultPrincipal, RecoveredTornTailOperation, null, detail, null, "allowed", null, null)]);
            }
            catch (IOException e) when (DataFileStore.IsNoSpace(e))
            {
                // The record could not be written; the message carries it to the vault's log, which starts read-only.
                throw new IOException($"No space left to record the torn-tail recovery ({RecoveredTornTailOperation}: {detail}).", e);
            }
        }

        if (head.Sequence != _sequence)
        {
            new AuditHead(_sequence, _hash).Write(_paths.Head);
        }
    }

}
