namespace Ztdr.Vault.Audit;

/// <summary>
/// Reads the chain forwards from genesis and hands out only records that verify (sequence, previous hash, own hash), so
/// whatever is built from them rests on the chain and not on a line someone slipped in. Resumable: a later
/// <see cref="ReadAvailable"/> continues after the last record handed out, so a reader can follow a serving vault.
/// Never writes and never takes the log's lock.
/// </summary>
internal sealed class AuditChainReader : IDisposable
{
    private readonly FileStream _stream;
    private long _offset;
    private string _hash = AuditRecordFormat.GenesisHash;

    private AuditChainReader(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>The last record handed out (0 before the first).</summary>
    public long Sequence { get; private set; }

    /// <summary>Why reading stopped for good: the first record that does not verify. Null while the chain verifies.</summary>
    public string? Defect { get; private set; }

    /// <summary>The reader for the log in <paramref name="auditDirectory"/>; null when there is no log file.</summary>
    public static AuditChainReader? Open(string auditDirectory)
    {
        var paths = new AuditPaths(Path.GetFullPath(auditDirectory));
        if (!File.Exists(paths.Log))
        {
            return null;
        }

        return new AuditChainReader(new FileStream(paths.Log, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        }));
    }

    /// <summary>
    /// The verified records after the last one handed out, up to the last complete line. A final line without LF is a
    /// write in flight (or a crash the next start repairs): it is left for the next call, not judged.
    /// </summary>
    public IEnumerable<AuditRecord> ReadAvailable()
    {
        if (Defect is not null)
        {
            yield break;
        }

        _stream.Seek(_offset, SeekOrigin.Begin);
        foreach (var line in AuditLogLines.Forward(_stream))
        {
            if (!line.Terminated)
            {
                yield break;
            }

            var expected = Sequence + 1;
            if (line.TooLong || !AuditRecordFormat.TryParse(line.Bytes, out var record, out _))
            {
                Defect = $"line {expected} is not a record";
                yield break;
            }

            if (record!.Sequence != expected || record.PreviousHash != _hash || AuditRecordFormat.ComputeHash(record) != record.Hash)
            {
                Defect = $"record {expected} does not continue the chain (moved, removed, edited or rehashed)";
                yield break;
            }

            _offset += line.Bytes.Length + 1;
            Sequence = expected;
            _hash = record.Hash;
            yield return record;
        }
    }

    public void Dispose() => _stream.Dispose();
}
